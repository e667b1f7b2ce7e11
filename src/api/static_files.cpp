#include "api/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace wattshare {
namespace {

std::string_view content_type(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

}  // namespace

std::optional<HttpResponse> serve_static(const std::string& root, std::string_view path) {
  if (root.empty()) return std::nullopt;
  std::string rel{path};
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  if (rel.empty()) rel = "index.html";
  const std::filesystem::path p{rel};
  for (const auto& part : p) {
    if (part == ".." || part == ".") return std::nullopt;  // stays inside the root
  }
  const std::filesystem::path file = std::filesystem::path(root) / p;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in{file, std::ios::binary};
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  HttpResponse r;
  r.content_type = std::string(content_type(file));
  r.body = std::move(body).str();
  // Vite names assets by content hash: they never change under one name.
  r.headers.emplace_back("Cache-Control", rel.starts_with("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

}  // namespace wattshare
