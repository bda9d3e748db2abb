#include "node/registrations.h"

#include "api/helper_api.h"
#include "base/files.h"
#include "node/agent.h"

namespace forest::node {

LocalRecord Describe(const Service& s, const plan::NodePlan& self) {
  return {s.label_path + "." + self.canonical_name,
          s.target.empty() ? self.canonical_name : s.target + "." + self.canonical_name};
}

std::map<std::string, std::string> PublishedAliases(api::ForestdClient& forestd, const plan::Plan& plan,
                                                    const Note& note) {
  std::map<std::string, std::string> out;
  auto body = forestd.Forest(plan.helper_address.ToString(), kAskHelperTimeout);
  auto view = body.ok() ? api::ParseForestReply(*body) : Result<api::ForestReply>(body.error());
  if (!view.ok()) {
    note("forest: note: the helper did not answer (" + view.error().message +
         "); only the plan's node names were checked\n");
    return out;
  }
  for (const auto& n : view->names) {
    for (const auto& a : n.aliases) out[a] = n.name;
  }
  return out;
}

Result<LocalRecord> Registrations::Register(std::string_view name, std::string_view target_name,
                                            const Note& note) {
  FOREST_ASSIGN_OR_RETURN(Service s, ResolveService(name, target_name, self_));
  auto published = PublishedAliases(forestd_, plan_, note);
  if (auto why = ServiceShadows(s, self_, plan_, published)) {
    return MakeError("--name " + std::string(name) + ": " + *why +
                     "; a service may not take another node's name (the helper would hold it back "
                     "and sign it for nobody here). Choose another name");
  }
  FOREST_TRY(Edit([&](std::vector<Service> cur) -> Result<std::vector<Service>> {
    return WithService(std::move(cur), s);
  }));
  return Describe(s, self_);
}

Result<std::string> Registrations::Withdraw(std::string_view name) {
  FOREST_ASSIGN_OR_RETURN(Service s, ResolveService(name, self_.canonical_name, self_));
  FOREST_TRY(Edit([&](std::vector<Service> cur) { return WithoutService(std::move(cur), s.label_path); }));
  return Describe(s, self_).name;
}

Result<std::vector<LocalRecord>> Registrations::List() const {
  FOREST_ASSIGN_OR_RETURN(std::vector<Service> services, ReadRegistrations(state_dir_));
  std::vector<LocalRecord> out;
  for (const auto& s : services) out.push_back(Describe(s, self_));
  return out;
}

void Registrations::Poke(const Note& note) {
  auto s = forestd_.Poke(self_.node_address.ToString(), api::Poke{});
  if (!s.ok()) {
    note("forest: warning: forestd did not take the change at once (" + s.error().message +
         "); it applies it on its next repair. `systemctl status forestd` shows the daemon.\n");
  }
}

Status Registrations::Edit(const std::function<Result<std::vector<Service>>(std::vector<Service>)>& edit) {
  FOREST_TRY(MakeDirs(state_dir_));
  FOREST_ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(state_dir_ + "/local-records.lock"));
  auto current = ReadRegistrations(state_dir_);
  if (!current.ok()) return MakeError(current.error().message + "; fix or remove the file, then try again");
  FOREST_ASSIGN_OR_RETURN(std::vector<Service> next, edit(std::move(current).value()));
  return WriteFileAtomic(state_dir_ + "/" + kRegistrationsFile, SerializeServices(std::move(next)));
}

Result<std::string> ReadExport(const std::string& state_dir) {
  std::string file = state_dir + "/" + kExportFile;
  auto text = ReadFile(file);
  if (!text.ok()) {
    return MakeError(file + ": no export yet (" + text.error().message +
                     "); is forestd running? `systemctl status forestd`");
  }
  return text;
}

}  // namespace forest::node
