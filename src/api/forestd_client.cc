#include "api/forestd_client.h"

#include "http/client.h"

namespace forest::api {
namespace {

// A helper's refusal: the status and its reason.
Error Refusal(const http::Reply& r) {
  std::string why = ErrorMessage(r.body);
  return MakeError("HTTP " + std::to_string(r.status) + (why.empty() ? "" : ": " + why));
}

}  // namespace

bool IsRefusal(const Error& e) { return e.message.rfind("HTTP ", 0) == 0; }

Result<std::string> HttpForestdClient::Get(const std::string& address, const char* target,
                                           std::chrono::milliseconds timeout, size_t max_body) {
  http::CallOptions call;
  call.timeout = timeout;
  call.max_body = max_body;
  FOREST_ASSIGN_OR_RETURN(http::Reply r, http::Call("GET", address, o_.port, target, "", call));
  if (r.status != 200) return MakeError("HTTP " + std::to_string(r.status));
  return std::move(r.body);
}

Result<std::string> HttpForestdClient::Export(const std::string& address, std::chrono::milliseconds timeout,
                                              size_t max_body) {
  return Get(address, kExport, timeout, max_body);
}

Result<std::string> HttpForestdClient::Forest(const std::string& helper, std::chrono::milliseconds timeout) {
  return Get(helper, kForest, timeout, kMaxForestReplyBytes);
}

Status HttpForestdClient::Poke(const std::string& address, const api::Poke& poke) {
  FOREST_ASSIGN_OR_RETURN(
      http::Reply r, http::Call("POST", address, o_.port, kPoke, SerializePoke(poke), {o_.poke_timeout, ""}));
  if (r.status != 200) return MakeError("HTTP " + std::to_string(r.status));
  return {};
}

Result<PublishAnswer> HttpForestdClient::Publish(const std::string& helper, const std::string& source,
                                                 const std::string& export_text) {
  FOREST_ASSIGN_OR_RETURN(http::Reply r, http::Call("POST", helper, o_.port, kPublishRoot, export_text,
                                                    {o_.publish_timeout, source}));
  PublishAnswer a;
  a.status = r.status;
  if (r.status != 200) {
    a.refusal = ErrorMessage(r.body);
    return a;
  }
  FOREST_ASSIGN_OR_RETURN(a.reply, ParsePublishReply(r.body));
  return a;
}

Result<std::string> HttpForestdClient::RootCa(const std::string& helper) {
  FOREST_ASSIGN_OR_RETURN(http::Reply r,
                          http::Call("GET", helper, o_.port, kRootCa, "", {o_.ca_timeout, ""}));
  if (r.status != 200) return Refusal(r);
  return std::move(r.body);
}

Result<std::string> HttpForestdClient::Crl(const std::string& helper) {
  FOREST_ASSIGN_OR_RETURN(http::Reply r, http::Call("GET", helper, o_.port, kCrl, "", {o_.ca_timeout, ""}));
  if (r.status != 200) return Refusal(r);
  return std::move(r.body);
}

Result<SignReply> HttpForestdClient::SignCsr(const std::string& helper, const SignRequest& request) {
  FOREST_ASSIGN_OR_RETURN(http::Reply r, http::Call("POST", helper, o_.port, kSignCsr,
                                                    SerializeSignRequest(request), {o_.sign_timeout, ""}));
  if (r.status != 200) return Refusal(r);
  return ParseSignReply(r.body);
}

}  // namespace forest::api
