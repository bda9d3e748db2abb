// forest doctor: what this host lacks for `forest up`, and how to fix it;
// with NODE, that node's 464XLAT wiring. The checks and their facts are in
// src/doctor/; here flags become those calls and the findings are printed.
#include "cli/command.h"
#include "doctor/checks.h"
#include "doctor/gather.h"

namespace forest::cli {

void AddDoctorCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("doctor", "Explain what this host (or NODE) lacks and how to fix it");
  auto json = std::make_shared<bool>(false);
  auto node = std::make_shared<std::string>();
  cmd->add_option("NODE", *node, "check this node of a forest brought up here (its 464XLAT wiring) instead of the host");
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([json, node, &ctx] {
    std::vector<doctor::Finding> checks;
    std::string role;
    if (node->empty()) {
      auto incus = incus::Client::Local();
      checks = doctor::HostFindings(doctor::GatherHostFacts(incus));
    } else {
      auto r = doctor::CheckNode(*node);
      if (!r.ok()) return ctx.Fail(r.error());
      role = r->role;
      checks = std::move(r->findings);
    }
    int bad = 0;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : checks) {
      if (!c.ok) ++bad;
      out.push_back({{"check", c.check}, {"ok", c.ok}, {"detail", c.detail}, {"fix", c.ok ? "" : c.fix}});
    }
    if (*json) {
      if (!node->empty()) out = {{"node", *node}, {"checks", out}, {"role", role}};
      ctx.out << out.dump(2) << "\n";
    } else {
      for (const auto& c : checks) {
        ctx.out << (c.ok ? "ok    " : "FAIL  ") << c.check << ": " << c.detail << "\n";
        if (!c.ok && !c.fix.empty()) ctx.out << "      fix: " << c.fix << "\n";
      }
      std::string what = node->empty() ? "this host can run `forest up`" : *node + " is healthy";
      ctx.out << (bad == 0 ? what + "\n" : std::to_string(bad) + " problem(s) to fix\n");
    }
    if (bad) ctx.exit_code = 1;
  });
}

}  // namespace forest::cli
