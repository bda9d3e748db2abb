#include "render/profile.h"

#include <yaml-cpp/yaml.h>

namespace forest::render {
namespace {

void EmitValue(YAML::Emitter& out, const std::string& value) {
  if (value.find('\n') != std::string::npos) {
    out << YAML::Literal << value;
  } else {
    out << YAML::DoubleQuoted << value;
  }
}

void EmitStringMap(YAML::Emitter& out, const std::map<std::string, std::string>& m) {
  out << YAML::BeginMap;
  for (const auto& [k, v] : m) {
    out << YAML::Key << k << YAML::Value;
    EmitValue(out, v);
  }
  out << YAML::EndMap;
}

}  // namespace

std::string ProfileYaml(const IncusProfile& profile) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << profile.name;
  out << YAML::Key << "description" << YAML::Value << YAML::DoubleQuoted << profile.description;
  out << YAML::Key << "config" << YAML::Value;
  if (profile.config.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  } else {
    EmitStringMap(out, profile.config);
  }
  out << YAML::Key << "devices" << YAML::Value;
  if (profile.devices.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  } else {
    out << YAML::BeginMap;
    for (const auto& [name, device] : profile.devices) {
      out << YAML::Key << name << YAML::Value;
      EmitStringMap(out, device);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace forest::render
