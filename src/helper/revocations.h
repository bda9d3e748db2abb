// Revocation at the helper (docs/trust.md, Revocation): the revoked leaves
// (ca/revoked.json), choosing what `forest cert revoke` names, the leaves a
// changed forest view supersedes, and the CRL built from the list. Pure:
// the issued leaves, the view and the time come in as values.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "helper/ca_broker.h"
#include "registration/registration.h"
#include "trust/crl.h"

namespace forest::helper {

inline constexpr char kIssuedFile[] = "issued.jsonl";
inline constexpr char kRevokedFile[] = "revoked.json";
// A CRL says when the next one is due; the helper makes a new one well
// before (docs/trust.md, Revocation).
inline constexpr int64_t kCrlValiditySeconds = 24 * 3600;
inline constexpr int64_t kCrlRefreshSeconds = 3600;

struct Revocation {
  std::string serial;  // lower-case hex
  std::string caller;  // the node the leaf was issued to
  std::vector<std::string> names;
  int64_t not_after = 0;
  int64_t revoked_at = 0;
  std::string reason;
  auto operator<=>(const Revocation&) const = default;
};

// {"schema": 1, "revoked": [...]}; an error names the file and the entry.
Result<std::vector<Revocation>> ParseRevocations(std::string_view text, const std::string& file);
// Sorted by serial, one entry per serial (the first revocation wins).
std::string SerializeRevocations(std::vector<Revocation> all);
nlohmann::json RevocationJson(const Revocation& r);

// issued.jsonl: one issuance per line; lines that do not parse (a torn last
// line after a crash, say) are skipped and counted.
struct IssuedLog {
  std::vector<Issuance> issued;
  size_t skipped = 0;
};
IssuedLog ParseIssuedLog(std::string_view text);

// What `forest cert revoke` names: serials, and/or every leaf of a node
// (canonical name or label), and/or every leaf holding a name.
struct RevokeSelector {
  std::vector<std::string> serials;
  std::string node;
  std::string name;
  std::string reason;  // "" = "revoked by the forest's owner"
};
// The unexpired leaves `s` selects that are not revoked yet, as new
// revocations at `now`. A serial that was never issued, an empty selector
// or a selector that matches nothing live is an error that says so.
Result<std::vector<Revocation>> SelectForRevocation(const std::vector<Issuance>& issued,
                                                    const std::set<std::string>& revoked, const RevokeSelector& s,
                                                    int64_t now);

// Leaves the forest has moved past: an unexpired, unrevoked leaf holding a
// name that trust::NameConflict now refuses for its node (an alias published
// for another object, another node's name, ...). One revocation per leaf,
// the reason naming the name.
std::vector<Revocation> Superseded(const registration::ForestView& view, const std::vector<Issuance>& issued,
                                   const std::set<std::string>& revoked, int64_t now);

// The CRL's contents at `now`: every revocation whose leaf has not expired.
trust::CrlSpec CrlSpecFor(const std::vector<Revocation>& all, int64_t now, uint64_t number);

}  // namespace forest::helper
