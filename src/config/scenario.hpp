// APIS scenario.json: one unit's wishes by time of day (reference §2.5, §4.2). Each time slice
// maps the remaining battery energy to a status, and each status to at most one request rule
// and accept rules. Battery bands are taken in file order, as APIS does; overlaps and gaps load
// with a warning.
//   const TimeSlice* s = scenario.slice_at(seconds_of_day);
//   const BatteryBand* b = s->band_for(remaining_wh);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"

namespace wattshare {

enum class DealDirection { kCharge, kDischarge };
std::string_view to_string(DealDirection d);

enum class AcceptSelection { kAmount, kPointAndAmount };
std::string_view to_string(AcceptSelection s);

struct DealRule {
  DealDirection direction = DealDirection::kCharge;
  double limit_wh = 0;
  std::optional<double> point_per_wh;
  std::optional<std::string> pair_unit_id;
};

// lower <= remaining_wh < upper; an absent bound is unbounded.
struct BatteryBand {
  std::optional<double> lower_wh;
  std::optional<double> upper_wh;
  std::string status;
  std::size_t rules_index = 0;  // into TimeSlice::rules
  [[nodiscard]] bool contains(double wh) const {
    return (!lower_wh || wh >= *lower_wh) && (!upper_wh || wh < *upper_wh);
  }
};

struct StatusRules {
  std::string status;
  std::optional<DealRule> request;
  // APIS looks an accept up by the direction it needs (accept.<status>.<charge|discharge>), so a
  // status may accept both ways.
  std::optional<DealRule> accept_charge;
  std::optional<DealRule> accept_discharge;
  [[nodiscard]] const std::optional<DealRule>& accept(DealDirection mine) const {
    return mine == DealDirection::kCharge ? accept_charge : accept_discharge;
  }
};

struct TimeSlice {
  std::string key;       // "HH:MM:SS-HH:MM:SS" as written
  std::string from_hms;  // compared as strings, like APIS: "24:00:00" is a valid end
  std::string to_hms;
  int from_s = 0, to_s = 0;  // the same bounds as seconds of the day, for fast lookups
  std::vector<BatteryBand> bands;  // file order: the first band holding the energy wins, as in APIS
  std::vector<StatusRules> rules;  // one per status named in batteryStatus
  std::optional<AcceptSelection> accept_selection;

  [[nodiscard]] const BatteryBand* band_for(double remaining_wh) const;
  [[nodiscard]] const StatusRules* rules_for(const std::string& status) const;
};

struct Scenario {
  long long refreshing_period_ms = 5000;
  AcceptSelection accept_selection = AcceptSelection::kAmount;
  std::vector<TimeSlice> slices;  // file order; the first match wins
  std::string source_path;
  // What APIS loads with a WARN (overlapping or gapped bands, an accept both ways, a slice
  // without requests or accepts), one line each naming file and key.
  std::vector<std::string> warnings;

  // `hms` is "HH:MM:SS" of local time.
  [[nodiscard]] const TimeSlice* slice_at(const std::string& hms) const;
  // The same by seconds since local midnight (0..86399).
  [[nodiscard]] const TimeSlice* slice_at_seconds(int seconds_of_day) const;
  [[nodiscard]] AcceptSelection selection_for(const TimeSlice& slice) const {
    return slice.accept_selection.value_or(accept_selection);
  }
};

[[nodiscard]] tl::expected<Scenario, Error> parse_scenario(const Json& doc,
                                                           const std::string& origin);
[[nodiscard]] tl::expected<Scenario, Error> load_scenario(const std::string& path);

}  // namespace wattshare
