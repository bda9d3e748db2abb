#include "helper/routes.h"

#include "api/helper_api.h"
#include "api/paths.h"

namespace forest::helper {

http::Router HelperRoutes(Publication& roots, CaService& ca,
                          std::function<void(serve::MetricsText&)> server_metrics) {
  http::Router r;
  r.Add({"POST", api::kPublishRoot, kMaxPublishBody,
         [&roots](std::string_view source) { return roots.PublishCaller(source); },
         [&roots](const http::Request& q) { return roots.Publish(q); }});
  r.Add({"POST", api::kSignCsr, kMaxSignBody,
         [&roots, &ca](std::string_view source) { return ca.SignCaller(roots.state().view(), source); },
         [&roots, &ca](const http::Request& q) { return ca.SignCsr(roots.state().view(), q); }});
  r.Add({"GET", api::kForest, 0, nullptr, [&roots](const http::Request&) {
           return http::JsonResponse(200, api::ToJson(roots.state().Forest()));
         }});
  r.Add({"GET", api::kCrl, 0, nullptr, [&ca](const http::Request& q) { return ca.Crl(q); }});
  r.Add({"GET", api::kCrlRoot, 0, nullptr, [&ca](const http::Request&) { return ca.CrlRoot(); }});
  r.Add({"GET", api::kRootCa, 0, nullptr, [&ca](const http::Request&) { return ca.RootCa(); }});
  r.Add({"GET", api::kHealthz, 0, nullptr, [&roots](const http::Request&) {
           return http::JsonResponse(200, {{"status", "ok"},
                                           {"serial", roots.state().serial()},
                                           {"roots_published", roots.state().exports().size()}});
         }});
  r.Add({"GET", api::kMetrics, 0, nullptr, [&roots, &ca, server_metrics](const http::Request&) {
           serve::MetricsText m;
           roots.AddMetrics(m);
           ca.AddMetrics(m);
           roots.AddViewMetrics(m);
           if (server_metrics) server_metrics(m);
           return http::Response{200, "text/plain; version=0.0.4", m.text(), {}};
         }});
  return r;
}

}  // namespace forest::helper
