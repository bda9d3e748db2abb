// The helper daemon's roots (forestd --role helper): each root publishes its
// export (POST /v1/publish-root-registration) from its uplink; an accepted
// one feeds the forest view and the zone (helper/helper_state.h) and is saved
// (<state>/roots, the parent role: parent/child_exports.h); names follow
// liveness (helper/root_leases.h); the zone serial is saved after every
// change (helper/state_files.h) and only grows across restarts. Each change
// of the view is announced to `on_change` (the DNS zone, the CA's sweep).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "helper/helper_state.h"
#include "helper/root_leases.h"
#include "helper/state_files.h"
#include "serve/http_route.h"
#include "serve/metrics.h"

namespace forest::helper {

class Publication {
 public:
  using Logger = std::function<void(const std::string&)>;
  using OnChange = std::function<void()>;
  // `state_dir` holds roots/ and serial.
  Publication(const plan::Plan& plan, const std::string& state_dir, std::chrono::milliseconds root_lease,
              const Clock& clock, Logger log);

  // The saved serial, then the saved exports (each checked again; a saved
  // root gets a full lease to publish again).
  void Load();
  void SetOnChange(OnChange f) { on_change_ = std::move(f); }

  const HelperState& state() const { return state_; }

  // Only a root's uplink may publish: decided on the request head.
  Status PublishCaller(std::string_view source);
  http::Response Publish(const http::Request& r);
  // A root that has not published for the lease loses its names.
  void ExpireRoots();

  void AddMetrics(serve::MetricsText& m) const;      // publications
  void AddViewMetrics(serve::MetricsText& m) const;  // names, serial

 private:
  void Changed();
  void SaveSerial();
  void LogHeldBack();
  std::chrono::milliseconds Now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now() - epoch_);
  }

  HelperState state_;
  RootLeases leases_;
  StateFiles files_;
  const Clock& clock_;
  Clock::TimePoint epoch_;
  Logger log_;
  OnChange on_change_;
  std::vector<std::string> held_back_;
  uint64_t accepted_ = 0, rejected_ = 0, forbidden_ = 0;
};

}  // namespace forest::helper
