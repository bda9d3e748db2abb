#include "api/helper_api.h"

#include "trust/san_policy.h"

namespace forest::api {
namespace {

using Json = nlohmann::json;

Json ParseObject(std::string_view body) {
  Json j = Json::parse(body, nullptr, false);
  return j.is_object() ? j : Json();
}

Status Strings(const Json& j, const char* key, std::vector<std::string>* out) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (!it->is_array()) return MakeError(std::string(key) + ": expected a list of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) return MakeError(std::string(key) + ": expected a list of strings");
    out->push_back(v.get<std::string>());
  }
  return {};
}

}  // namespace

Result<SignRequest> ParseSignRequest(std::string_view body) {
  if (body.size() > kMaxSignRequestBytes) {
    return MakeError("request is " + std::to_string(body.size()) + " bytes; the limit is " +
                     std::to_string(kMaxSignRequestBytes));
  }
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return MakeError("request: expected a JSON object");
  SignRequest r;
  auto csr = j.find("csr");
  if (csr == j.end() || !csr->is_string()) return MakeError("csr: expected the PEM text of a CSR");
  r.csr_pem = csr->get<std::string>();
  auto paths = j.find("label_paths");
  if (paths == j.end() || !paths->is_array()) {
    return MakeError(
        "label_paths: expected a list of local label paths, e.g. [\"auth.app\"] (\"\" is the node itself)");
  }
  if (paths->size() > trust::kMaxLabelPaths) {
    return MakeError("label_paths: " + std::to_string(paths->size()) + " entries; the limit is " +
                     std::to_string(trust::kMaxLabelPaths));
  }
  for (size_t i = 0; i < paths->size(); ++i) {
    if (!(*paths)[i].is_string())
      return MakeError("label_paths[" + std::to_string(i) + "]: expected a string");
    r.label_paths.push_back((*paths)[i].get<std::string>());
  }
  if (auto c = j.find("client"); c != j.end()) {
    if (!c->is_boolean()) return MakeError("client: expected true or false");
    r.client = c->get<bool>();
  }
  return r;
}

std::string SerializeSignRequest(const SignRequest& r) {
  return Json{{"csr", r.csr_pem}, {"label_paths", r.label_paths}, {"client", r.client}}.dump();
}

Json ToJson(const SignReply& r) {
  return Json{{"certificate", r.certificate}, {"root", r.root},          {"serial", r.serial},
              {"caller", r.caller},           {"names", r.names},        {"withheld", r.withheld},
              {"not_before", r.not_before},   {"not_after", r.not_after}};
}

Result<SignReply> ParseSignReply(std::string_view body) {
  Json j = ParseObject(body);
  if (j.is_null()) return MakeError("the forest CA answered something unexpected (not a JSON object)");
  SignReply s;
  for (auto [key, field] :
       {std::pair{"certificate", &s.certificate}, {"root", &s.root}, {"serial", &s.serial}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      return MakeError(std::string("the forest CA answered something unexpected (") + key +
                       ": expected a string)");
    }
    *field = it->get<std::string>();
  }
  if (auto it = j.find("caller"); it != j.end() && it->is_string()) s.caller = it->get<std::string>();
  if (!j.contains("names")) return MakeError("the forest CA answered something unexpected (names: missing)");
  if (Status st = Strings(j, "names", &s.names); !st.ok())
    return st.error().Wrap("the forest CA answered something unexpected");
  if (Status st = Strings(j, "withheld", &s.withheld); !st.ok()) {
    return st.error().Wrap("the forest CA answered something unexpected");
  }
  auto after = j.find("not_after");
  if (after == j.end() || !after->is_number_integer()) {
    return MakeError("the forest CA answered something unexpected (not_after: expected an integer)");
  }
  s.not_after = after->get<int64_t>();
  if (auto it = j.find("not_before"); it != j.end() && it->is_number_integer())
    s.not_before = it->get<int64_t>();
  return s;
}

Json ToJson(const PublishReply& r) {
  return Json{{"accepted", r.accepted}, {"changed", r.changed}, {"serial", r.serial}};
}

Result<PublishReply> ParsePublishReply(std::string_view body) {
  Json j = ParseObject(body);
  if (j.is_null()) return MakeError("publish reply: expected a JSON object");
  PublishReply r;
  auto accepted = j.find("accepted"), changed = j.find("changed"), serial = j.find("serial");
  if (accepted == j.end() || !accepted->is_boolean())
    return MakeError("publish reply: accepted: expected true or false");
  if (changed == j.end() || !changed->is_boolean())
    return MakeError("publish reply: changed: expected true or false");
  if (serial == j.end() || !serial->is_number_unsigned() || serial->get<uint64_t>() > UINT32_MAX) {
    return MakeError("publish reply: serial: expected a zone serial");
  }
  r.accepted = accepted->get<bool>();
  r.changed = changed->get<bool>();
  r.serial = static_cast<uint32_t>(serial->get<uint64_t>());
  return r;
}

Json ErrorJson(const std::string& message) { return Json{{"error", message}}; }

std::string ErrorMessage(std::string_view body) {
  Json j = ParseObject(body);
  if (!j.is_null()) {
    auto it = j.find("error");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return std::string(body);
}

}  // namespace forest::api
