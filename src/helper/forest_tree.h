// `forest tree`: the helper's forest view (GET /v1/forest, asked through
// api::ForestdClient) and its rendering as an indented tree of nodes and
// services with canonical names, published aliases and addresses.
// RenderTree is pure.
#pragma once

#include <chrono>
#include <string>

#include "api/forestd_client.h"
#include "api/helper_api.h"
#include "base/result.h"
#include "net/ip.h"

namespace forest::helper {

inline constexpr std::chrono::milliseconds kTreeTimeout = std::chrono::seconds(3);

// The view of forest `forest` from its helper at `helper`. An error says
// where to look when the helper did not answer, and what was wrong with an
// answer that is not a forest view.
Result<api::ForestReply> AskForest(api::ForestdClient& client, const std::string& forest,
                                   const net::Ipv6Address& helper);

// Each name sits under the nearest name it is a suffix of; nodes are marked.
std::string RenderTree(const api::ForestReply& forest);

}  // namespace forest::helper
