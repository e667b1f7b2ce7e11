// A software oscilloscope after OwnTech's ScopeMimicry (reference §3): a ring of `length`
// records × `channels` floats, record-major, filled once at construction (no allocation while
// recording). Before the trigger it records continuously; a rising edge of the trigger arms the
// end so that `delay`·length pre-trigger records stay (delay 0: 1 pre-trigger record and
// length − 1 after it); then it stops. Unlike the original, decimation is built in and the dump
// is in time order (the example's own dump printed the raw ring, circularly shifted).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace wattshare::p2p {

class ScopeRecorder {
 public:
  enum class Status { kRecording, kTriggered, kDone };

  ScopeRecorder(std::size_t length, std::vector<std::string> names, int decimation = 1,
                double delay = 0);

  // One call per control tick; every `decimation`-th call records `values` (one per channel).
  Status acquire(std::span<const float> values, bool trigger);
  void start();  // re-arm

  bool done() const { return done_; }
  std::size_t length() const { return length_; }
  const std::vector<std::string>& names() const { return names_; }
  // The records, oldest first, record-major. Before `done()`, what has been recorded so far.
  std::vector<float> in_time_order() const;
  // The original text format: "begin record", "#a,b,…,", one %08x float bit pattern per line,
  // "end record" — in time order.
  std::string dump() const;

 private:
  std::size_t length_, channels_;
  std::vector<std::string> names_;
  std::vector<float> buffer_;
  int decimation_, phase_ = 0;
  std::size_t delay_complement_;
  std::size_t acq_ = 0, trig_cnt_ = 0, filled_ = 0;
  bool triggered_ = false, previous_trigger_ = false, done_ = false;
};

// A dump read back: channel names and the floats, record-major.
struct ScopeRecord {
  std::vector<std::string> names;
  std::vector<float> values;
  std::size_t records() const { return names.empty() ? 0 : values.size() / names.size(); }
};

// Reads the dump format (also a raw capture with \r\n line ends and text around the record, as
// a serial console shows it). Errors name the line and the problem.
tl::expected<ScopeRecord, Error> parse_scope_dump(std::string_view text);
// One header line of names, then one line per record; floats printed so that they read back
// bit-exact (%.9g).
std::string to_csv(const ScopeRecord& r);

}  // namespace wattshare::p2p
