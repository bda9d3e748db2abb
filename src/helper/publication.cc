#include "helper/publication.h"

#include <algorithm>

#include "api/helper_api.h"

namespace forest::helper {

Publication::Publication(const plan::Plan& plan, const std::string& state_dir,
                         std::chrono::milliseconds root_lease, const Clock& clock, Logger log)
    : state_(HelperState::FromPlan(plan, state_dir + "/roots")),
      leases_(root_lease),
      files_(state_dir),
      clock_(clock),
      epoch_(clock.Now()),
      log_(std::move(log)) {}

void Publication::Load() {
  // The zone serial only grows: saved after each change, and a restart
  // starts above the saved one and the clock (HelperState::StartSerial).
  std::string problem;
  std::optional<uint32_t> saved = files_.ReadSerial(&problem);
  if (!problem.empty()) log_(problem + "; starting from the clock");
  state_.SetSerial(HelperState::StartSerial(saved, clock_.Unix()));
  std::vector<std::string> problems;
  for (const std::string& label : state_.Load(&problems)) leases_.Seen(label, Now());
  for (const std::string& line : problems) log_(line);
  SaveSerial();
  LogHeldBack();
}

void Publication::SaveSerial() {
  if (Status s = files_.SaveSerial(state_.serial()); !s.ok())
    log_("cannot save the zone serial: " + s.error().message);
}

// Nodes win over services: say which alias candidates are held back, when
// that changes.
void Publication::LogHeldBack() {
  const auto& held = state_.view().held_back();
  if (held == held_back_) return;
  for (const auto& line : held) {
    if (std::find(held_back_.begin(), held_back_.end(), line) == held_back_.end()) log_(line);
  }
  held_back_ = held;
}

// After each change of the view: the serial saved, held-back aliases said,
// then the daemon's own reactions (the new zone to DNS, superseded leaves revoked).
void Publication::Changed() {
  SaveSerial();
  LogHeldBack();
  if (on_change_) on_change_();
}

Status Publication::PublishCaller(std::string_view source) {
  auto root = state_.RootForSource(source);
  if (root.ok()) return {};
  ++forbidden_;
  log_("publish refused: " + root.error().message);
  return root.error();
}

http::Response Publication::Publish(const http::Request& r) {
  auto root = state_.RootForSource(r.remote_address);
  if (!root.ok()) return http::ErrorResponse(403, root.error().message);  // admitted on the head already
  const std::string& name = (*root)->delegation.child_canonical;
  auto parsed = registration::Parse(r.body);
  if (!parsed.ok()) {
    ++rejected_;
    log_("export of " + name + " rejected, last good kept: " + parsed.error().message);
    return http::ErrorResponse(400, parsed.error().message);
  }
  Status saved;
  auto changed = state_.Publish(**root, *parsed, &saved);
  if (!changed.ok()) {
    ++rejected_;
    log_("export of " + name + " rejected, last good kept: " + changed.error().message);
    return http::ErrorResponse(422, changed.error().message);
  }
  ++accepted_;
  leases_.Seen((*root)->delegation.child_label, Now());
  if (*changed) {
    if (!saved.ok()) log_("cannot save the export of " + name + ": " + saved.error().message);
    Changed();
    log_("accepted export of " + name + ": " + std::to_string(parsed->records.size()) + " records; serial " +
         std::to_string(state_.serial()) + ", " +
         std::to_string(state_.view().aliases().alias_to_canonical.size()) + " aliases");
  }
  return http::JsonResponse(200, api::ToJson(api::PublishReply{true, *changed, state_.serial()}));
}

void Publication::ExpireRoots() {
  for (const std::string& label : leases_.Expire(Now())) {
    if (!state_.Withdraw(label)) continue;
    Changed();
    log_("root " + label + " has not published for " + std::to_string(leases_.lease().count() / 1000) +
         " s: its names are withdrawn until it publishes again; serial " + std::to_string(state_.serial()));
  }
}

void Publication::AddMetrics(serve::MetricsText& m) const {
  m.Type("forestd_publish_total", "counter");
  m.Line("forestd_publish_total", "result=\"accepted\"", accepted_);
  m.Line("forestd_publish_total", "result=\"rejected\"", rejected_);
  m.Line("forestd_publish_total", "result=\"forbidden\"", forbidden_);
}

void Publication::AddViewMetrics(serve::MetricsText& m) const {
  m.Type("forestd_names", "gauge");
  m.Line("forestd_names", "kind=\"canonical\"", state_.view().canonical().size());
  m.Line("forestd_names", "kind=\"alias\"", state_.view().aliases().alias_to_canonical.size());
  m.Type("forestd_zone_serial", "gauge");
  m.Line("forestd_zone_serial", "", state_.serial());
}

}  // namespace forest::helper
