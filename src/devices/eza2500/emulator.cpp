#include "devices/eza2500/emulator.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace wattshare::eza {
namespace {

std::uint16_t raw_of(const CommandSpec& c, std::size_t i, double v) { return encode_nearest(c.fields[i].q, v); }

// The converter's refusal of `request`: its command with 0x80 set and the error code.
Bytes nak_frame(const RawFrame& request, std::uint16_t ercd) {
  const Bytes e{static_cast<std::uint8_t>(ercd & 0xff), static_cast<std::uint8_t>(ercd >> 8)};
  return encode_frame(kResponseSfd, request.ad1, request.ad2, static_cast<std::uint8_t>(request.cmd | kNakFlag), e);
}

}  // namespace

EzaEmulator::EzaEmulator(Battery& battery, EzaEmulatorOptions o, std::function<double()> now_s)
    : battery_(battery), o_(std::move(o)), now_s_(std::move(now_s)), converter_(o_.converter) {
  last_s_ = now_s_();
  // Power-on values: the converter's own ratings.
  const auto& p = o_.converter;
  protection_ = {raw_of(kCmd6_1, field::kCib, p.cib_a), 0, raw_of(kCmd6_1, field::kUbv, p.ubv_v),
                 raw_of(kCmd6_1, field::kUgv, p.ugv_v), raw_of(kCmd6_1, field::kObv, p.obv_v),
                 raw_of(kCmd6_1, field::kOgv, p.ogv_v)};
}

void EzaEmulator::inject(EzaFault f) {
  std::lock_guard lock{mu_};
  fault_ = f;
}

EzaEmulatorStats EzaEmulator::stats() const {
  std::lock_guard lock{mu_};
  return stats_;
}

std::uint16_t EzaEmulator::mode() const {
  std::lock_guard lock{mu_};
  return mode_;
}

DcdcMeasurement EzaEmulator::measurement() const {
  std::lock_guard lock{mu_};
  return converter_.measure(vg_v_, ig_a_, battery_.open_circuit_voltage_v());
}

std::vector<std::string_view> EzaEmulator::take_history() {
  std::lock_guard lock{mu_};
  return std::exchange(history_, {});
}

std::vector<std::uint8_t> EzaEmulator::on_bytes(std::span<const std::uint8_t> in) {
  std::lock_guard lock{mu_};
  // A pause on the line ends any partial frame (a truncated request must not swallow the next).
  const auto now = std::chrono::steady_clock::now();
  if (now - last_byte_ > std::chrono::milliseconds(20)) rx_.reset();
  last_byte_ = now;
  Bytes out;
  for (const std::uint8_t b : in) {
    const auto step = rx_.feed(b);
    if (step == FrameAssembler::Step::kBadChecksum) ++stats_.bad_requests;  // ignored, as on a bus
    if (step != FrameAssembler::Step::kComplete) continue;
    if (rx_.frame().ad1 != o_.address) continue;  // another device's frame
    ++stats_.requests;
    Bytes reply = answer(rx_.frame());
    if (fault_.kind != EzaFault::kNone && fault_.count != 0) {
      ++stats_.faults;
      if (fault_.count > 0) --fault_.count;
      const RawFrame& r = rx_.frame();
      switch (fault_.kind) {
        case EzaFault::kSilence: reply.clear(); break;
        case EzaFault::kBadChecksum: reply.back() ^= 0x5A; break;
        case EzaFault::kNak: reply = nak_frame(r, fault_.ercd); break;
        case EzaFault::kWrongCommand:
          reply = encode_frame(kResponseSfd, r.ad1, r.ad2, static_cast<std::uint8_t>(r.cmd ^ 0x01), Bytes(2, 0));
          break;
        case EzaFault::kNone: break;
      }
    }
    if (!reply.empty()) ++stats_.replies;
    out.insert(out.end(), reply.begin(), reply.end());
  }
  return out;
}

Bytes EzaEmulator::answer(const RawFrame& request) {
  advance();
  const CommandSpec* spec = nullptr;
  for (const CommandSpec* c : all_commands()) {
    if (c->code == request.cmd && c->request_len == request.len) spec = c;
  }
  if (spec == nullptr) return nak_frame(request, 0xFFFF);
  if (history_.size() < 4096) history_.push_back(spec->name);
  Words words;
  if (spec->request_len == 0) {
    words = read_block(*spec);
  } else {
    std::uint16_t code = 0;
    auto in = unpack(*spec, request.payload);  // a write's request and ACK have one length
    if (!in) return nak_frame(request, 0xFFFE);
    words = handle_write(*spec, *in, code);
    if (code != 0) return nak_frame(request, code);
  }
  return encode_frame(kResponseSfd, request.ad1, request.ad2, request.cmd, pack_fields(*spec, words));
}

Words EzaEmulator::handle_write(const CommandSpec& c, const Words& w, std::uint16_t& nak) {
  if (&c == &kCmd1_4) {
    if (!settable_mode(w[0])) {
      nak = 0xFFFE;
      return {};
    }
    mode_ = w[0];
    apply_setpoints();
  } else if (&c == &kCmd4_4) {
    grid_voltage_ = w;
    apply_setpoints();
  } else if (&c == &kCmd6_4) {
    protection_ = w;
    apply_setpoints();
  } else if (&c == &kCmd3_4) {
    battery_cv_ = w;
  } else if (&c == &kCmd7_4) {
    battery_config_ = w;
  } else if (&c == &kCmd9_4) {
    apply_setpoints();  // a new command acknowledges latched alarms
  } else if (c.code == 0x17) {
    dead_zone_ = w;
  } else if (c.code == 0x16) {
    rates_ = w;
  }
  return w;  // the ACK echoes what the converter now holds
}

void EzaEmulator::apply_setpoints() {
  converter_.command(static_cast<DcdcMode>(mode_), value(kCmd4_1, field::kDvg, grid_voltage_[0]),
                     value(kCmd6_1, field::kDig, protection_[1]), value(kCmd4_1, field::kDrg, grid_voltage_[1]));
}

Words EzaEmulator::read_block(const CommandSpec& c) const {
  switch (c.code) {
    case 0x00: return {mode_};
    case 0x01: {
      std::uint16_t cst = 0;
      if (mode_ != kModeWaiting) cst = ig_a_ > 0.01 ? 1 : (ig_a_ < -0.01 ? 2 : 0);
      const AlarmLevel a = converter_.alarm_level();
      cst |= static_cast<std::uint16_t>((a == AlarmLevel::kHeavy ? 2 : a == AlarmLevel::kLight ? 1 : 0) << 2);
      return {cst, 0};
    }
    case 0x18: return battery_cv_;
    case 0x1A: return grid_voltage_;
    case 0x17: return dead_zone_;
    case 0x1C: return protection_;
    case 0x1D: return battery_config_;
    case 0x16: return rates_;
    case 0x12: return {converter_.alarm_bits(), 0, 0};
    case 0x09: {
      const DcdcMeasurement m = converter_.measure(vg_v_, ig_a_, battery_.open_circuit_voltage_v());
      return {raw_of(c, field::kVg, m.vg_v), raw_of(c, field::kIg, m.ig_a), raw_of(c, field::kVb, m.vb_v),
              raw_of(c, field::kIb, m.ib_a), raw_of(c, field::kWg, m.wg_w), raw_of(c, field::kWb, m.wb_w),
              0,                             raw_of(c, field::kTmp, m.tmp_c)};
    }
    case 0x0A: {
      const double t = converter_.temperature_c();
      return {raw_of(c, 0, t), raw_of(c, 1, t), raw_of(c, 2, 5.0), 0, 0, 0, 0, 0};
    }
    case 0x1E:
    case 0x1F: return {0x00, 0x01};  // version 1.0
    default: return Words(c.fields.size(), 0);
  }
}

void EzaEmulator::advance() {
  const double now = now_s_();
  double left = std::max(0.0, now - last_s_);
  last_s_ = now;
  const bool reference = static_cast<DcdcMode>(mode_) == DcdcMode::kVoltageReference;
  // The bus: our port's current into the bus plus the rest of the grid's must cancel.
  auto solve = [&] {
    const PortModel port = converter_.port();
    auto net = [&](double v) {
      const double others = reference ? -o_.grid_load_a : (o_.grid_voltage_v - v) / o_.grid_resistance_ohm;
      return port.current_a(v) + others;
    };
    double lo = 0, hi = 1000;
    for (int i = 0; i < 60; ++i) {
      const double mid = 0.5 * (lo + hi);
      (net(mid) > 0 ? lo : hi) = mid;
    }
    vg_v_ = 0.5 * (lo + hi);
    ig_a_ = -port.current_a(vg_v_);  // APIS sign: positive while charging from the bus
    if (!port.active && !reference) ig_a_ = 0;
  };
  do {
    const double dt = std::min(left, 0.05);
    solve();
    if (dt <= 0) break;
    const double vb = battery_.open_circuit_voltage_v();
    const DcdcMeasurement m = converter_.measure(vg_v_, ig_a_, vb);
    battery_.exchange(m.wb_w, dt);
    converter_.advance(dt, vg_v_, ig_a_, vb);
    left -= dt;
  } while (left > 0);
}

}  // namespace wattshare::eza
