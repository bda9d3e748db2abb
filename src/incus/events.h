// The Incus events websocket (/1.0/events): lifecycle, operation and logging
// events as JSON objects, streamed until the callback says stop.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace forest::incus {

struct EventFilter {
  std::string types = "lifecycle";  // comma-separated: lifecycle,operation,logging
  std::string project;              // "" = default project
  bool all_projects = false;
};

// Blocks, calling `on_event` for each event until it returns false. An idle
// period longer than `idle_timeout` (0 = wait forever) ends with an error
// that says so; so does a closed connection. Non-JSON frames are skipped.
Status WatchEvents(const std::string& socket_path, const EventFilter& filter,
                   const std::function<bool(const nlohmann::json&)>& on_event,
                   std::chrono::seconds idle_timeout = std::chrono::seconds(0));

}  // namespace forest::incus
