#include "store/deal_log_files.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace wattshare {

tl::expected<std::string, Error> format_date_pattern(std::string_view pattern, const DateFields& date,
                                                     std::string_view tmpdir) {
  std::string out;
  auto literal = [&](std::string_view text) {
    for (std::size_t at = 0;;) {
      const auto hit = text.find("{tmpdir}", at);
      out.append(text.substr(at, hit == std::string_view::npos ? std::string_view::npos : hit - at));
      if (hit == std::string_view::npos) return;
      out.append(tmpdir);
      at = hit + 8;
    }
  };
  for (std::size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {  // '' is a quote
        out += '\'';
        i += 2;
        continue;
      }
      // Quoted text up to the closing quote; '' inside it is a quote too.
      std::string text;
      std::size_t j = i + 1;
      for (;; ++j) {
        if (j >= pattern.size())
          return tl::unexpected(Error::invalid_config(fmt::format("dealLogDirFormat '{}': a quote is not closed", pattern)));
        if (pattern[j] != '\'') {
          text += pattern[j];
        } else if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
          text += '\'';
          ++j;
        } else {
          break;
        }
      }
      literal(text);
      i = j + 1;
      continue;
    }
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter) {
      literal(pattern.substr(i, 1));
      ++i;
      continue;
    }
    std::size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    int value = 0;
    switch (c) {
      case 'u': case 'y': value = date.year; break;
      case 'M': value = date.month; break;
      case 'd': value = date.day; break;
      case 'H': value = date.hour; break;
      case 'm': value = date.minute; break;
      case 's': value = date.second; break;
      default:
        return tl::unexpected(Error::invalid_config(
            fmt::format("dealLogDirFormat '{}': pattern letter '{}' is not supported (u, y, M, d, H, m, s)", pattern, c)));
    }
    // Java: "yy" is the year's last two digits; otherwise the count is the minimum width.
    if ((c == 'u' || c == 'y') && n == 2) value %= 100;
    out += fmt::format("{:0{}}", value, n);
    i += n;
  }
  return out;
}

std::string apis_tmpdir() {
  const char* env = std::getenv("TMPDIR");
  return env != nullptr && *env != '\0' ? env : "/tmp";
}

tl::expected<DealLogFiles, Error> DealLogFiles::open(std::string dir_format, std::string unit_id) {
  std::string tmpdir = apis_tmpdir();
  if (auto probe = format_date_pattern(dir_format, DateFields{2020, 1, 1, 0, 0, 0}, tmpdir); !probe)
    return tl::unexpected(probe.error());
  return DealLogFiles(std::move(dir_format), std::move(unit_id), std::move(tmpdir));
}

namespace {

std::string text_at(const Json& deal, const char* key) {
  const auto it = deal.find(key);
  return it != deal.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

tl::expected<std::string, Error> DealLogFiles::write(const Json& deal) const {
  if (!deal.is_object()) return std::string();
  if (text_at(deal, "chargeUnitId") != unit_id_ && text_at(deal, "dischargeUnitId") != unit_id_) return std::string();
  const std::string activated = text_at(deal, "activateDateTime");
  if ((activated.empty() || activated == "--") && !deal.contains("reset")) return std::string();
  const std::string id = text_at(deal, "dealId");
  // A deal id names a file: nothing that could leave the folder.
  if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..")
    return tl::unexpected(Error::bad_input(fmt::format("deal log: unusable dealId '{}'", id)));
  DateFields when;
  const std::string created = text_at(deal, "createDateTime");
  if (std::sscanf(created.c_str(), "%4d/%2d/%2d-%2d:%2d:%2d", &when.year, &when.month, &when.day, &when.hour,
                  &when.minute, &when.second) != 6)
    return tl::unexpected(Error::bad_input(fmt::format("deal log {}: createDateTime '{}' is not uuuu/MM/dd-HH:mm:ss", id, created)));
  auto dir = format_date_pattern(dir_format_, when, tmpdir_);
  if (!dir) return tl::unexpected(dir.error());
  const std::filesystem::path folder{*dir};
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return tl::unexpected(Error::not_available(fmt::format("deal log: cannot make {}: {}", folder.string(), ec.message())));
  const std::filesystem::path path = folder / id;
  const std::filesystem::path aside = folder / ("." + id + ".tmp");
  {
    std::ofstream out(aside, std::ios::trunc);
    out << dump_json(deal);
    if (!out.flush()) return tl::unexpected(Error::not_available(fmt::format("deal log: cannot write {}", aside.string())));
  }
  std::filesystem::rename(aside, path, ec);
  if (ec) return tl::unexpected(Error::not_available(fmt::format("deal log: cannot write {}: {}", path.string(), ec.message())));
  return path.string();
}

}  // namespace wattshare
