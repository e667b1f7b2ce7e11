#include "cluster/etcd_client.hpp"

#include <fmt/format.h>

#include "core/base64.hpp"
#include "core/secret.hpp"

namespace wattshare::cluster {
namespace {

Error bad_reply(std::string_view what) { return Error::bad_input(fmt::format("etcd: {}", what)); }

Json op_json(const Op& op) {
  switch (op.kind) {
    case Op::Kind::kPut: {
      Json put{{"key", base64_encode(op.key)}, {"value", base64_encode(op.value)}};
      if (op.lease != 0) put["lease"] = std::to_string(op.lease);
      return Json{{"requestPut", put}};
    }
    case Op::Kind::kDelete: {
      Json del{{"key", base64_encode(op.key)}};
      if (op.prefix) del["range_end"] = base64_encode(prefix_end(op.key));
      return Json{{"requestDeleteRange", del}};
    }
    case Op::Kind::kRange: {
      Json range{{"key", base64_encode(op.key)}};
      if (op.prefix) range["range_end"] = base64_encode(prefix_end(op.key));
      return Json{{"requestRange", range}};
    }
  }
  return Json::object();
}

Json compare_json(const Compare& c) {
  Json j{{"key", base64_encode(c.key)}, {"result", "EQUAL"}};
  switch (c.target) {
    case Compare::Target::kCreateRevision:
      j["target"] = "CREATE";
      j["create_revision"] = std::to_string(c.revision);
      break;
    case Compare::Target::kModRevision:
      j["target"] = "MOD";
      j["mod_revision"] = std::to_string(c.revision);
      break;
    case Compare::Target::kValue:
      j["target"] = "VALUE";
      j["value"] = base64_encode(c.value);
      break;
  }
  return j;
}

}  // namespace

EtcdClient::EtcdClient(EtcdEndpoint e, std::chrono::milliseconds timeout)
    : e_(std::move(e)), http_(e_.host, e_.port, timeout, e_.tls) {}

tl::expected<Json, Error> EtcdClient::call(const char* path, const Json& body) {
  if (e_.credentials && !logged_in_) {
    if (auto t = authenticate(); !t) return tl::unexpected(t.error());
  }
  auto r = call_once(path, body);
  // A simple token ends after some idle minutes, or when etcd restarts: log in again once.
  if (!r && e_.credentials && is_auth_token_error(r.error())) {
    if (auto t = authenticate(); !t) return tl::unexpected(t.error());
    r = call_once(path, body);
  }
  return r;
}

tl::expected<Json, Error> EtcdClient::call_once(const char* path, const Json& body) {
  auto r = http_.request("POST", path, dump_json(body));
  if (!r) return tl::unexpected(Error{r.error().code, fmt::format("etcd {}", r.error().message)});
  auto doc = parse_json_text(r->body, fmt::format("etcd {}", path));
  if (!doc) return tl::unexpected(doc.error());
  if (r->status != 200 || !doc->is_object()) {
    const std::string why = doc->is_object() ? doc->value("message", doc->value("error", r->body)) : r->body;
    return tl::unexpected(Error::rejected(fmt::format("etcd {}: HTTP {}: {}", path, r->status, why)));
  }
  return doc;
}

tl::expected<std::string, Error> EtcdClient::authenticate() {
  if (!e_.credentials) return tl::unexpected(Error::invalid_config("etcd: no user to log in with"));
  http_.set_header("Authorization", "");
  auto r = call_once("/v3/auth/authenticate", Json{{"name", e_.credentials->user}, {"password", e_.credentials->password}});
  if (!r) {
    return tl::unexpected(Error::rejected(fmt::format("etcd: user {} cannot log in: {}", e_.credentials->user, r.error().message)));
  }
  if (!r->contains("token") || !(*r)["token"].is_string()) return tl::unexpected(bad_reply("authenticate without a token"));
  std::string token = (*r)["token"].get<std::string>();
  http_.set_header("Authorization", token);
  logged_in_ = true;
  return token;
}

tl::expected<void, Error> EtcdClient::add_user(const std::string& user, const std::string& password) {
  auto r = call("/v3/auth/user/add", Json{{"name", user}, {"password", password}});
  if (!r) return tl::unexpected(r.error());
  return {};
}

tl::expected<void, Error> EtcdClient::add_role(const std::string& role) {
  auto r = call("/v3/auth/role/add", Json{{"name", role}});
  if (!r) return tl::unexpected(r.error());
  return {};
}

tl::expected<void, Error> EtcdClient::grant_permission(const std::string& role, Permission p, const std::string& key,
                                                        bool prefix) {
  Json perm{{"permType", p == Permission::kRead ? "READ" : p == Permission::kWrite ? "WRITE" : "READWRITE"},
            {"key", base64_encode(key)}};
  if (prefix) perm["range_end"] = base64_encode(prefix_end(key));
  auto r = call("/v3/auth/role/grant", Json{{"name", role}, {"perm", perm}});
  if (!r) return tl::unexpected(r.error());
  return {};
}

tl::expected<void, Error> EtcdClient::grant_role(const std::string& user, const std::string& role) {
  auto r = call("/v3/auth/user/grant", Json{{"user", user}, {"role", role}});
  if (!r) return tl::unexpected(r.error());
  return {};
}

tl::expected<void, Error> EtcdClient::enable_auth() {
  auto r = call("/v3/auth/enable", Json::object());
  if (!r) return tl::unexpected(r.error());
  return {};
}

tl::expected<EtcdCredentials, Error> load_credentials(const std::string& user, const std::string& password_file) {
  if (user.empty()) return tl::unexpected(Error::invalid_config("--etcd-user: empty user name"));
  auto password = read_secret_file(password_file);
  if (!password) return tl::unexpected(password.error());
  return EtcdCredentials{user, *password};
}

bool is_auth_token_error(const Error& e) {
  for (const char* what : {"invalid auth token", "user name is empty", "auth token is not provided"}) {
    if (e.message.find(what) != std::string::npos) return true;
  }
  return false;
}

tl::expected<std::int64_t, Error> EtcdClient::put(const std::string& key, const std::string& value, std::int64_t lease) {
  Json body{{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  if (lease != 0) body["lease"] = std::to_string(lease);
  auto r = call("/v3/kv/put", body);
  if (!r) return tl::unexpected(r.error());
  return header_revision(*r);
}

tl::expected<RangeResult, Error> EtcdClient::range(const std::string& key, bool prefix) {
  Json body{{"key", base64_encode(key)}};
  if (prefix) body["range_end"] = base64_encode(prefix_end(key));
  auto r = call("/v3/kv/range", body);
  if (!r) return tl::unexpected(r.error());
  return parse_range(*r);
}

tl::expected<std::int64_t, Error> EtcdClient::remove(const std::string& key, bool prefix) {
  Json body{{"key", base64_encode(key)}};
  if (prefix) body["range_end"] = base64_encode(prefix_end(key));
  auto r = call("/v3/kv/deleterange", body);
  if (!r) return tl::unexpected(r.error());
  return r->contains("deleted") ? parse_int64((*r)["deleted"], "deleted") : std::int64_t{0};
}

tl::expected<TxnResult, Error> EtcdClient::txn(const std::vector<Compare>& compares, const std::vector<Op>& success,
                                               const std::vector<Op>& failure) {
  Json body{{"compare", Json::array()}, {"success", Json::array()}, {"failure", Json::array()}};
  for (const auto& c : compares) body["compare"].push_back(compare_json(c));
  for (const auto& o : success) body["success"].push_back(op_json(o));
  for (const auto& o : failure) body["failure"].push_back(op_json(o));
  auto r = call("/v3/kv/txn", body);
  if (!r) return tl::unexpected(r.error());
  return parse_txn(*r);
}

tl::expected<std::int64_t, Error> EtcdClient::grant(std::int64_t ttl_s) {
  auto r = call("/v3/lease/grant", Json{{"TTL", std::to_string(ttl_s)}});
  if (!r) return tl::unexpected(r.error());
  if (r->contains("error") && !(*r)["error"].get<std::string>().empty()) {
    return tl::unexpected(Error::rejected(fmt::format("etcd lease grant: {}", (*r)["error"].get<std::string>())));
  }
  return parse_int64(r->value("ID", Json(nullptr)), "lease ID");
}

tl::expected<std::int64_t, Error> EtcdClient::keep_alive(std::int64_t lease) {
  auto r = call("/v3/lease/keepalive", Json{{"ID", std::to_string(lease)}});
  if (!r) return tl::unexpected(r.error());
  if (!r->contains("result") || !(*r)["result"].is_object()) return tl::unexpected(bad_reply("keepalive without a result"));
  const Json& res = (*r)["result"];
  return res.contains("TTL") ? parse_int64(res["TTL"], "TTL") : std::int64_t{0};
}

tl::expected<void, Error> EtcdClient::revoke(std::int64_t lease) {
  auto r = call("/v3/lease/revoke", Json{{"ID", std::to_string(lease)}});
  if (!r) return tl::unexpected(r.error());
  return {};
}

}  // namespace wattshare::cluster
