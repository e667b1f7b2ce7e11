#include "config/scenario.hpp"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "core/json_fields.hpp"

namespace wattshare {

std::string_view to_string(DealDirection d) {
  return d == DealDirection::kCharge ? "charge" : "discharge";
}

std::string_view to_string(AcceptSelection s) {
  return s == AcceptSelection::kAmount ? "amount" : "pointAndAmount";
}

const BatteryBand* TimeSlice::band_for(double remaining_wh) const {
  for (const auto& b : bands)
    if (b.contains(remaining_wh)) return &b;
  return nullptr;
}

const StatusRules* TimeSlice::rules_for(const std::string& status) const {
  for (const auto& r : rules)
    if (r.status == status) return &r;
  return nullptr;
}

const TimeSlice* Scenario::slice_at(const std::string& hms) const {
  for (const auto& s : slices)
    if (s.from_hms <= hms && hms < s.to_hms) return &s;
  return nullptr;
}

const TimeSlice* Scenario::slice_at_seconds(int s) const {
  for (const auto& slice : slices)
    if (slice.from_s <= s && s < slice.to_s) return &slice;
  return nullptr;
}

namespace {

int hms_seconds(std::string_view s) {
  return ((s[0] - '0') * 10 + (s[1] - '0')) * 3600 + ((s[3] - '0') * 10 + (s[4] - '0')) * 60 +
         (s[6] - '0') * 10 + (s[7] - '0');
}

bool is_hms(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return false;
  for (std::size_t i : {0, 1, 3, 4, 6, 7})
    if (s[i] < '0' || s[i] > '9') return false;
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  const int sec = (s[6] - '0') * 10 + (s[7] - '0');
  return h <= 24 && m <= 59 && sec <= 59 && (h < 24 || (m == 0 && sec == 0));
}

bool looks_like_slice_key(std::string_view key) {
  return key.size() == 17 && key[8] == '-' && key[2] == ':';
}

std::optional<double> parse_bound(std::string_view text, bool& ok) {
  ok = true;
  if (text.empty()) return std::nullopt;
  std::string s{text};
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') ok = false;
  return v;
}

std::optional<AcceptSelection> read_selection(JsonFields& f, const std::string& key) {
  if (f.find(key) == nullptr) return std::nullopt;
  // APIS falls back to `amount` for an unknown strategy; so do we.
  return f.string_or(key + ".strategy", "amount") == "pointAndAmount"
             ? AcceptSelection::kPointAndAmount
             : AcceptSelection::kAmount;
}

// The rule at `key`.<direction>, if there is one.
std::optional<DealRule> read_rule(JsonFields& f, const std::string& key, DealDirection direction) {
  const Json* obj = f.object(key, false);
  if (obj == nullptr) return std::nullopt;
  const char* name = direction == DealDirection::kCharge ? "charge" : "discharge";
  if (!obj->contains(name)) return std::nullopt;
  DealRule r;
  r.direction = direction;
  const std::string k = key + "." + name;
  if (f.object(k) == nullptr) return std::nullopt;
  r.limit_wh = f.number(k + ".limitWh");
  r.point_per_wh = f.optional_number(k + ".pointPerWh");
  if (f.find(k + ".pairUnitId")) r.pair_unit_id = f.string(k + ".pairUnitId");
  if (r.limit_wh < 0) f.fail(k + ".limitWh", fmt::format("must be >= 0 Wh, got {}", r.limit_wh));
  return r;
}

void read_bands(JsonFields& f, const std::string& slice_key, TimeSlice& slice) {
  const std::string key = slice_key + ".batteryStatus";
  const Json* obj = nullptr;
  if (const Json* s = f.find(slice_key); s && s->is_object()) {
    if (auto it = s->find("batteryStatus"); it != s->end()) obj = &*it;
  }
  if (obj == nullptr || !obj->is_object()) {
    f.fail(key, obj ? fmt::format("expected an object, got {}", describe_json(*obj))
                    : std::string("missing (expected \"lower-upper\": \"status\" entries)"));
    return;
  }
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    if (it.key() == "#") continue;
    const std::string& range = it.key();
    const auto dash = range.find('-');
    bool ok_lo = false, ok_hi = false;
    BatteryBand b;
    if (dash != std::string::npos) {
      b.lower_wh = parse_bound(std::string_view(range).substr(0, dash), ok_lo);
      b.upper_wh = parse_bound(std::string_view(range).substr(dash + 1), ok_hi);
    }
    if (dash == std::string::npos || !ok_lo || !ok_hi) {
      f.fail(key + "." + range, "expected \"lower-upper\" in Wh with either bound optional");
      continue;
    }
    if (!it.value().is_string()) {
      f.fail(key + "." + range,
             fmt::format("expected a status name, got {}", describe_json(it.value())));
      continue;
    }
    b.status = it.value().get<std::string>();
    if (b.lower_wh && b.upper_wh && *b.lower_wh >= *b.upper_wh) {
      f.fail(key + "." + range, fmt::format("lower bound {} Wh is not below upper bound {} Wh",
                                            *b.lower_wh, *b.upper_wh));
      continue;
    }
    slice.bands.push_back(std::move(b));
  }
  // APIS takes the first band in file order that holds the energy, so overlaps and gaps are
  // valid there (AbstractScenarioEvaluationImpl.batteryStatus; a gap gives no status, hence no
  // request or accept). They are warnings here, found on a sorted copy.
  auto lower = [](const BatteryBand& b) { return b.lower_wh.value_or(-1e300); };
  std::vector<BatteryBand> sorted = slice.bands;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const BatteryBand& a, const BatteryBand& b) { return lower(a) < lower(b); });
  auto show = [](const BatteryBand& b) {
    return fmt::format("\"{}-{}\" ({})", b.lower_wh ? fmt::format("{}", *b.lower_wh) : "",
                       b.upper_wh ? fmt::format("{}", *b.upper_wh) : "", b.status);
  };
  for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
    const auto& a = sorted[i];
    const auto& b = sorted[i + 1];
    const double a_hi = a.upper_wh.value_or(1e300);
    const double b_lo = lower(b);
    if (a_hi > b_lo)
      f.warn(key, fmt::format("bands {} and {} overlap: the first in the file wins", show(a), show(b)));
    else if (a_hi < b_lo)
      f.warn(key, fmt::format("gap between bands {} and {}: no status for {}-{} Wh, so no request or accept",
                              show(a), show(b), a_hi, b_lo));
  }
  if (!sorted.empty() && sorted.front().lower_wh && *sorted.front().lower_wh > 0)
    f.warn(key, fmt::format("gap below band {}: no status under {} Wh, so no request or accept",
                            show(sorted.front()), *sorted.front().lower_wh));
}

void read_slice(JsonFields& f, const std::string& slice_key, Scenario& scenario) {
  TimeSlice slice;
  slice.key = slice_key;
  slice.from_hms = slice_key.substr(0, 8);
  slice.to_hms = slice_key.substr(9);
  if (!is_hms(slice.from_hms) || !is_hms(slice.to_hms) || slice.from_hms >= slice.to_hms) {
    f.fail(slice_key, "expected a time slice \"HH:MM:SS-HH:MM:SS\" with start before end");
    return;
  }
  if (f.object(slice_key) == nullptr) return;
  slice.from_s = hms_seconds(slice.from_hms);
  slice.to_s = hms_seconds(slice.to_hms);
  slice.accept_selection = read_selection(f, slice_key + ".acceptSelection");
  read_bands(f, slice_key, slice);
  for (auto& band : slice.bands) {
    if (const StatusRules* known = slice.rules_for(band.status)) {  // a status may span two bands
      band.rules_index = static_cast<std::size_t>(known - slice.rules.data());
      continue;
    }
    band.rules_index = slice.rules.size();
    StatusRules r;
    r.status = band.status;
    // SimpleScenarioEvaluationImpl.checkStatus: a request holding both directions charges.
    const std::string request_key = slice_key + ".request." + band.status;
    r.request = read_rule(f, request_key, DealDirection::kCharge);
    if (auto discharge = read_rule(f, request_key, DealDirection::kDischarge)) {
      if (r.request)
        f.warn(request_key, "has both charge and discharge: the charge request is made, as in APIS");
      else
        r.request = discharge;
    }
    // treatRequest looks up accept.<status>.<the direction it needs>: both may be there.
    r.accept_charge = read_rule(f, slice_key + ".accept." + band.status, DealDirection::kCharge);
    r.accept_discharge = read_rule(f, slice_key + ".accept." + band.status, DealDirection::kDischarge);
    if (r.accept_charge && r.accept_discharge)
      f.warn(slice_key + ".accept." + band.status, "has both charge and discharge: it accepts requests of both directions");
    slice.rules.push_back(std::move(r));
  }
  for (const char* part : {"request", "accept"}) {
    const Json* obj = f.find(slice_key + "." + part);
    if (obj == nullptr) {
      f.warn(slice_key + "." + part,
             fmt::format("missing: this unit makes no {} in this slice", part == std::string_view("request") ? "request" : "accept"));
      continue;
    }
    if (!obj->is_object()) {
      f.fail(slice_key + "." + part, fmt::format("expected an object, got {}", describe_json(*obj)));
      continue;
    }
    for (auto it = obj->begin(); it != obj->end(); ++it)
      if (it.key() != "#" && slice.rules_for(it.key()) == nullptr)
        f.fail(slice_key + "." + part + "." + it.key(),
               "status is not defined in this slice's batteryStatus");
  }
  scenario.slices.push_back(std::move(slice));
}

}  // namespace

tl::expected<Scenario, Error> parse_scenario(const Json& doc, const std::string& origin) {
  JsonFields f{doc, origin};
  if (!f.root_is_object()) return tl::unexpected(f.failure());
  Scenario s;
  s.source_path = origin;
  s.refreshing_period_ms = f.integer_or("refreshingPeriodMsec", 5000);
  s.accept_selection =
      read_selection(f, "acceptSelection").value_or(AcceptSelection::kAmount);
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!looks_like_slice_key(it.key())) continue;
    // Keys with dots would be split by the dotted lookup: slice keys never contain one.
    read_slice(f, it.key(), s);
  }
  if (s.slices.empty() && f.ok())
    f.fail_file("no time slice (expected at least one \"HH:MM:SS-HH:MM:SS\" key)");
  if (!f.ok()) return tl::unexpected(f.failure());
  s.warnings = f.warnings();
  return s;
}

tl::expected<Scenario, Error> load_scenario(const std::string& path) {
  return load_json_file(path).and_then(
      [&](const Json& doc) { return parse_scenario(doc, path); });
}

}  // namespace wattshare
