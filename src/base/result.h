// Errors as values: Result<T> holds either a T or an Error with a message
// that already carries its context (`forest.yaml:12:7: nodes[0].slot: ...`).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace forest {

struct Error {
  std::string message;

  // Returns a copy of this error with `context: ` put in front of the message.
  Error Wrap(const std::string& context) const { return Error{context + ": " + message}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}        // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Error MakeError(std::string message) { return Error{std::move(message)}; }

}  // namespace forest

// Propagate an error from an expression returning Result<...>.
#define FOREST_TRY(expr)                          \
  do {                                            \
    auto forest_try_r_ = (expr);                  \
    if (!forest_try_r_.ok()) return forest_try_r_.error(); \
  } while (0)

#define FOREST_CONCAT_INNER_(a, b) a##b
#define FOREST_CONCAT_(a, b) FOREST_CONCAT_INNER_(a, b)
// Assign the value of a Result to `lhs`, or return its error.
#define FOREST_ASSIGN_OR_RETURN(lhs, expr)                                   \
  auto FOREST_CONCAT_(forest_r_, __LINE__) = (expr);                         \
  if (!FOREST_CONCAT_(forest_r_, __LINE__).ok())                             \
    return FOREST_CONCAT_(forest_r_, __LINE__).error();                      \
  lhs = std::move(FOREST_CONCAT_(forest_r_, __LINE__)).value()
