// forest_bench_merge: what the top of the forest pays when anything changes.
//
// Setup (not timed) builds a synthetic forest of exactly n records laid out
// like the address plan: several roots, each a tree of hierarchy-aware nodes
// up to depth 4 (five levels) with four children per node; every node has its
// own record and several workloads from a small pool of names (web, db, api,
// …), some with an `auth.` service name, so aliases collide the way they do in
// real forests. Each node's export is bubbled up with registration::Merge, so
// every root holds its direct children's exports.
//
// Timed, per iteration: each root merges its children's exports
// (registration::Merge: union, sort, de-duplicate) and the helper builds its
// view of all roots (ForestView::Build: canonical map, objects, alias
// recomputation, caller index). items_processed = n, so the reported
// items_per_second (and time / n) is the cost per record; complexity N = n.
//
// bench/merge_scaling.sh turns the JSON output into ns/record at 1k, 10k and
// 100k and checks the growth against an n log n allowance.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "registration/registration.h"

namespace forest::registration {
namespace {

constexpr int kFanout = 4;
constexpr int kMaxDepth = 4;
const std::vector<std::string> kWorkloads = {"web", "db", "api", "cache", "worker", "app"};

struct SyntheticRoot {
  std::string label;
  std::vector<Record> own;
  Route route;
  std::vector<ChildExport> children;
};

// Builds one node's subtree while the record budget lasts; returns its export.
class ForestBuilder {
 public:
  explicit ForestBuilder(size_t records) : budget_(records) {}

  bool exhausted() const { return budget_ == 0; }

  SyntheticRoot Root(int index) {
    SyntheticRoot root;
    root.label = "c" + std::to_string(index);
    net::Ipv6Prefix prefix = net::Ipv6Prefix::Parse("fd00::/8").value().Subnet(20, index + 1).value();
    net::Ipv6Address uplink = net::Ipv6Prefix::Parse("fd00:f00d:0:1::/64").value().Host(index + 1);
    root.route = {prefix, uplink, true, "eth0"};
    std::string canonical = root.label + ".incus";
    root.own = NodeRecords(canonical, prefix);
    for (int k = 1; k <= kFanout && !exhausted(); ++k) {
      root.children.push_back(Child(root.label, canonical, prefix, k, 1));
    }
    return root;
  }

 private:
  // The node's own record, then workloads and services, as budget allows.
  std::vector<Record> NodeRecords(const std::string& canonical, const net::Ipv6Prefix& prefix) {
    std::vector<Record> out;
    auto take = [&](std::string name, uint64_t host) {
      if (budget_ == 0) return;
      out.push_back({std::move(name), prefix.Host(host)});
      --budget_;
    };
    take(canonical, 1);
    for (size_t w = 0; w < kWorkloads.size(); ++w) {
      std::string name =
          kWorkloads[(w + counter_) % kWorkloads.size()] + "-" + std::to_string(w % 2) + "." + canonical;
      take(name, 0x100 + w);
      if (w % 3 == 0) take("auth." + name, 0x100 + w);
    }
    ++counter_;
    return out;
  }

  ChildExport Child(const std::string& parent_label, const std::string& parent_canonical,
                    const net::Ipv6Prefix& parent_prefix, int slot, int depth) {
    ChildExport c;
    std::string label = parent_label + "-" + std::to_string(slot);
    net::Ipv6Prefix prefix = parent_prefix.Subnet(parent_prefix.length + 4, slot).value();
    net::Ipv6Address uplink = parent_prefix.Subnet(64, 1).value().Host(slot);
    c.delegation = {label, label + "." + parent_canonical, prefix, uplink};
    Route route{prefix, uplink, true, "eth0"};
    std::vector<Record> own = NodeRecords(c.delegation.child_canonical, prefix);
    std::vector<ChildExport> children;
    for (int k = 1; depth < kMaxDepth && k <= kFanout && !exhausted(); ++k) {
      children.push_back(Child(label, c.delegation.child_canonical, prefix, k, depth + 1));
    }
    c.exported = Merge(label, own, route, children);
    return c;
  }

  size_t budget_;
  size_t counter_ = 0;
};

std::vector<SyntheticRoot> SyntheticForest(size_t records) {
  ForestBuilder builder(records);
  std::vector<SyntheticRoot> roots;
  for (int i = 0; !builder.exhausted(); ++i) roots.push_back(builder.Root(i));
  return roots;
}

void BM_MergeAndBuildView(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<SyntheticRoot> roots = SyntheticForest(n);
  std::vector<Record> helper = {{"forest-dns.incus", net::Ipv6Address::Parse("fd00:f00d::53").value()},
                                {"forest-ca.incus", net::Ipv6Address::Parse("fd00:f00d::53").value()}};
  size_t aliases = 0;
  for (auto _ : state) {
    std::vector<Export> exports;
    exports.reserve(roots.size());
    for (const auto& r : roots) exports.push_back(Merge(r.label, r.own, r.route, r.children));
    ForestView view = ForestView::Build(exports, helper);
    aliases = view.aliases().alias_to_canonical.size();
    benchmark::DoNotOptimize(aliases);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.SetComplexityN(static_cast<int64_t>(n));
  state.counters["roots"] = static_cast<double>(roots.size());
  state.counters["aliases"] = static_cast<double>(aliases);
}

BENCHMARK(BM_MergeAndBuildView)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oNLogN);

}  // namespace
}  // namespace forest::registration

BENCHMARK_MAIN();
