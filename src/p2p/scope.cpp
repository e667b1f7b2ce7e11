#include "p2p/scope.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <fmt/format.h>

namespace wattshare::p2p {

ScopeRecorder::ScopeRecorder(std::size_t length, std::vector<std::string> names, int decimation,
                             double delay)
    : length_(std::max<std::size_t>(length, 2)), channels_(names.size()), names_(std::move(names)),
      buffer_(length_ * channels_, 0.0f), decimation_(std::max(decimation, 1)) {
  const auto pre = static_cast<std::size_t>(std::clamp(delay, 0.0, 1.0) * static_cast<double>(length_));
  delay_complement_ = length_ - std::min(pre, length_ - 1);
}

void ScopeRecorder::start() {
  triggered_ = previous_trigger_ = done_ = false;
  acq_ = filled_ = 0;
  phase_ = 0;
}

ScopeRecorder::Status ScopeRecorder::acquire(std::span<const float> values, bool trigger) {
  if (done_) return Status::kDone;
  if (trigger && !previous_trigger_ && !triggered_) {
    triggered_ = true;
    trig_cnt_ = (acq_ + delay_complement_ - 1) % length_;
  }
  previous_trigger_ = trigger;
  if (phase_++ % decimation_ != 0) return triggered_ ? Status::kTriggered : Status::kRecording;
  if (triggered_ && acq_ == trig_cnt_) {
    done_ = true;
    return Status::kDone;
  }
  acq_ = (acq_ + 1) % length_;
  std::copy_n(values.begin(), std::min(values.size(), channels_), buffer_.begin() + acq_ * channels_);
  filled_ = std::min(filled_ + 1, length_);
  return triggered_ ? Status::kTriggered : Status::kRecording;
}

std::vector<float> ScopeRecorder::in_time_order() const {
  std::vector<float> out;
  out.reserve(filled_ * channels_);
  // acq_ holds the newest record; the oldest of `filled_` is filled_ − 1 slots before it.
  for (std::size_t k = 0; k < filled_; ++k) {
    const std::size_t slot = (acq_ + length_ + 1 - filled_ + k) % length_;
    out.insert(out.end(), buffer_.begin() + slot * channels_, buffer_.begin() + (slot + 1) * channels_);
  }
  return out;
}

std::string ScopeRecorder::dump() const {
  std::string out = "begin record\n#";
  for (const auto& n : names_) out += n + ",";
  out += "\n";
  for (float v : in_time_order()) out += fmt::format("{:08x}\n", std::bit_cast<std::uint32_t>(v));
  out += "end record\n";
  return out;
}

tl::expected<ScopeRecord, Error> parse_scope_dump(std::string_view text) {
  auto bad = [](std::size_t line, std::string what) {
    return tl::unexpected(Error::bad_input(fmt::format("scope dump, line {}: {}", line, what)));
  };
  ScopeRecord r;
  enum { kBefore, kNames, kData } stage = kBefore;
  std::size_t line_no = 0;
  bool ended = false;
  while (!text.empty() && !ended) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    switch (stage) {
      case kBefore:
        if (line == "begin record") stage = kNames;
        break;
      case kNames: {
        if (line.empty() || line[0] != '#') return bad(line_no, "expected the '#name,name,…,' line");
        std::string_view names = line.substr(1);
        while (!names.empty()) {
          const std::size_t comma = names.find(',');
          std::string_view n = names.substr(0, comma);
          if (n.empty()) return bad(line_no, "empty channel name");
          r.names.emplace_back(n);
          names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 1);
        }
        if (r.names.empty()) return bad(line_no, "no channel names");
        stage = kData;
        break;
      }
      case kData: {
        if (line == "end record") {
          ended = true;
          break;
        }
        std::uint32_t bits = 0;
        auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), bits, 16);
        if (line.size() != 8 || ec != std::errc{} || end != line.data() + line.size()) {
          return bad(line_no, fmt::format("expected 8 hex digits, got '{}'", line.substr(0, 40)));
        }
        r.values.push_back(std::bit_cast<float>(bits));
        break;
      }
    }
  }
  if (stage == kBefore) return bad(line_no, "no 'begin record' line");
  if (!ended) return bad(line_no, "no 'end record' line: the dump is cut short");
  if (r.values.size() % r.names.size() != 0) {
    return bad(line_no, fmt::format("{} values is not a whole number of {}-channel records",
                                    r.values.size(), r.names.size()));
  }
  return r;
}

std::string to_csv(const ScopeRecord& r) {
  std::string out;
  for (std::size_t c = 0; c < r.names.size(); ++c) out += (c ? "," : "") + r.names[c];
  out += "\n";
  for (std::size_t k = 0; k < r.records(); ++k) {
    for (std::size_t c = 0; c < r.names.size(); ++c) {
      out += fmt::format("{}{:.9g}", c ? "," : "", r.values[k * r.names.size() + c]);
    }
    out += "\n";
  }
  return out;
}

}  // namespace wattshare::p2p
