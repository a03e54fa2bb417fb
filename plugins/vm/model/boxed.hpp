#pragma once
// Boxed<T>: a T held on the heap with a value's meaning (copied deeply, compared by value), for a
// variant whose largest alternatives would otherwise make every value as large as they are
// (DeviceAttributes, model/device_config.hpp). A moved-from box is empty and may only be
// destroyed or assigned to, as a moved-from std::unique_ptr.
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

namespace mw::vm {

template <class T>
class Boxed {
 public:
  Boxed() : value_(std::make_unique<T>()) {}
  // Implicit, so that a T converts to a variant holding Boxed<T> as it would to one holding T.
  Boxed(T value) : value_(std::make_unique<T>(std::move(value))) {}
  Boxed(const Boxed& other) : value_(std::make_unique<T>(*other.value_)) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) { return *this = Boxed(other); }
  Boxed& operator=(Boxed&&) noexcept = default;
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  bool operator==(const Boxed& other) const { return *value_ == *other.value_; }

 private:
  std::unique_ptr<T> value_;
};

namespace detail {

template <class T>
struct Unboxed {
  using type = T;
};
template <class T>
struct Unboxed<Boxed<T>> {
  using type = T;
};

// The alternative of `Variant` that holds a T: Boxed<T> when it has one, else T itself.
template <class T, class Variant>
struct StoredAs;
template <class T, class... Ts>
struct StoredAs<T, std::variant<Ts...>> {
  using type = std::conditional_t<(std::is_same_v<Boxed<T>, Ts> || ...), Boxed<T>, T>;
};

template <class T>
T& unbox(T& a) {
  return a;
}
template <class T>
T& unbox(Boxed<T>& a) {
  return *a;
}
template <class T>
const T& unbox(const Boxed<T>& a) {
  return *a;
}

}  // namespace detail
}  // namespace mw::vm
