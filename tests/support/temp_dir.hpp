// A temporary folder for a test's files, removed when the test ends.
//   TempDir dir;  dir.write("policy.json", "{...}");
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace wattshare::test {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "wattshare-test-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    const auto p = std::filesystem::path{path_} / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream{p} << text;
    return p.string();
  }
  [[nodiscard]] std::string path(const std::string& name = {}) const {
    return name.empty() ? path_ : (std::filesystem::path{path_} / name).string();
  }

 private:
  std::string path_;
};

}  // namespace wattshare::test
