// A deliberately small template language: `{{name}}` is replaced by the
// variable's value; anything else is copied. Unknown or unused-syntax errors
// name the template and line.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace forest::render {

using Vars = std::map<std::string, std::string>;

// Expands `text`; a `{{name}}` without a value in `vars`, or an unterminated
// `{{`, is an error `<template_name>:<line>: ...`.
Result<std::string> Expand(std::string_view text, const Vars& vars, std::string_view template_name);

// Every line of `text` prefixed with `spaces` spaces (empty lines stay empty);
// the result has no trailing newline. For embedding blocks in YAML.
std::string Indent(std::string_view text, int spaces);

}  // namespace forest::render
