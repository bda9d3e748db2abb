#include "node/routes.h"

#include "api/helper_api.h"
#include "api/node_api.h"
#include "api/paths.h"
#include "naming/names.h"
#include "serve/conn_gate.h"

namespace forest::node {

http::Router NodeRoutes(Agent& agent, std::vector<net::Ipv6Address> neighbours,
                        std::function<void(serve::MetricsText&)> server_metrics) {
  auto only_neighbours = [set = std::move(neighbours)](std::string_view source) -> Status {
    if (serve::IsAnyOf(set, source)) return {};
    return MakeError(
        "caller " + naming::QuoteUntrusted(source) +
        " is neither this node, its parent nor one of its children; this endpoint is for them only");
  };
  http::Router r;
  r.Add({"POST", api::kPoke, api::kMaxPokeBody, only_neighbours, [&agent](const http::Request& q) {
           // A poke only makes us look; what we pull is checked as always.
           auto poke = api::ParsePoke(q.body);
           if (!poke.ok()) return http::ErrorResponse(400, poke.error().message);
           agent.Poke(poke->child);
           return http::JsonResponse(200, {{"poked", true}});
         }});
  r.Add({"GET", api::kExport, 0, only_neighbours, [&agent](const http::Request&) {
           std::string text = agent.ExportText();
           if (text.empty()) return http::ErrorResponse(503, "no export yet");
           return http::Response{200, "application/json", text, {}};
         }});
  r.Add({"GET", api::kNode, 0, only_neighbours,
         [&agent](const http::Request&) { return http::JsonResponse(200, agent.StatusJson()); }});
  r.Add({"GET", api::kHealthz, 0, nullptr, [](const http::Request&) {
           return http::JsonResponse(200, {{"status", "ok"}});
         }});
  r.Add({"GET", api::kMetrics, 0, nullptr, [&agent, server_metrics](const http::Request&) {
           serve::MetricsText m;
           agent.AddMetrics(m);
           if (server_metrics) server_metrics(m);
           return http::Response{200, "text/plain; version=0.0.4", m.text(), {}};
         }});
  return r;
}

}  // namespace forest::node
