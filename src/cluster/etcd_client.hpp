// etcd v3 through its JSON gateway (etcd 3.4: POST /v3/kv/range, /put, /deleterange, /txn,
// /v3/lease/grant, /keepalive, /revoke, /v3/watch): keys and values are base64 on the wire and
// plain strings here, 64-bit numbers arrive as JSON strings. Blocking, one connection, every call
// bounded by the client's timeout. Replies that are not what etcd sends are errors naming the
// call and the problem (`parse_*` are separate for the fuzz target).
//   EtcdClient etcd{{"127.0.0.1", 2379}};
//   auto lease = etcd.grant(5);  etcd.put("/wattshare/members/E001", "{...}", *lease);
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "net/http_client.hpp"

namespace wattshare::cluster {

// An etcd user (etcd's auth enabled): the client logs in with it and sends its token.
struct EtcdCredentials {
  std::string user, password;
};

struct EtcdEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2379;
  std::optional<TlsFiles> tls;  // HTTPS, with a client certificate when etcd asks for one
  std::optional<EtcdCredentials> credentials;
};

struct KeyValue {
  std::string key, value;
  std::int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
};

struct RangeResult {
  std::vector<KeyValue> kvs;
  std::int64_t revision = 0;  // the store's revision when read
};

// One comparison of a transaction: the key's create/mod revision or its value.
struct Compare {
  enum class Target { kCreateRevision, kModRevision, kValue } target = Target::kCreateRevision;
  std::string key;
  std::int64_t revision = 0;
  std::string value;
  static Compare absent(std::string key) { return {Target::kCreateRevision, std::move(key), 0, {}}; }
  static Compare modified_at(std::string key, std::int64_t rev) { return {Target::kModRevision, std::move(key), rev, {}}; }
  static Compare created_at(std::string key, std::int64_t rev) { return {Target::kCreateRevision, std::move(key), rev, {}}; }
  static Compare value_is(std::string key, std::string v) { return {Target::kValue, std::move(key), 0, std::move(v)}; }
};

struct Op {
  enum class Kind { kPut, kDelete, kRange } kind = Kind::kPut;
  std::string key, value;
  std::int64_t lease = 0;
  bool prefix = false;  // delete/range: every key under `key`
  static Op put(std::string k, std::string v, std::int64_t lease = 0) { return {Kind::kPut, std::move(k), std::move(v), lease, false}; }
  static Op remove(std::string k, bool prefix = false) { return {Kind::kDelete, std::move(k), {}, 0, prefix}; }
  static Op range(std::string k, bool prefix = false) { return {Kind::kRange, std::move(k), {}, 0, prefix}; }
};

struct TxnResult {
  bool succeeded = false;
  std::int64_t revision = 0;
  std::vector<KeyValue> ranged;  // what range ops of the branch taken returned
};

struct WatchEvent {
  enum class Type { kPut, kDelete } type = Type::kPut;
  KeyValue kv;
};

// "HOST:PORT" (etcd's client URL without the scheme); TLS files that are all empty mean plain HTTP.
tl::expected<EtcdEndpoint, Error> parse_endpoint(std::string_view text, const TlsFiles& tls = {});
// An etcd user and the file that holds its password (first line), which only its owner may read.
tl::expected<EtcdCredentials, Error> load_credentials(const std::string& user, const std::string& password_file);

// The end of a prefix range: the prefix with its last byte incremented.
std::string prefix_end(std::string_view prefix);

class EtcdClient {
 public:
  explicit EtcdClient(EtcdEndpoint e, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

  tl::expected<std::int64_t, Error> put(const std::string& key, const std::string& value, std::int64_t lease = 0);
  tl::expected<RangeResult, Error> range(const std::string& key, bool prefix = false);
  tl::expected<std::int64_t, Error> remove(const std::string& key, bool prefix = false);  // how many
  tl::expected<TxnResult, Error> txn(const std::vector<Compare>& compares, const std::vector<Op>& success,
                                     const std::vector<Op>& failure = {});
  tl::expected<std::int64_t, Error> grant(std::int64_t ttl_s);      // the lease id
  tl::expected<std::int64_t, Error> keep_alive(std::int64_t lease);  // the TTL left; 0: expired
  tl::expected<void, Error> revoke(std::int64_t lease);
  // Logs in as the endpoint's user (done by the first call, and again when etcd says the token
  // is no longer valid); the token, for a stream of one's own (the watch).
  tl::expected<std::string, Error> authenticate();

  // etcd's auth administration (as root): users, roles and key-range permissions.
  enum class Permission { kRead, kWrite, kReadWrite };
  tl::expected<void, Error> add_user(const std::string& user, const std::string& password);
  tl::expected<void, Error> add_role(const std::string& role);
  // `key` alone, or every key under it with `prefix`.
  tl::expected<void, Error> grant_permission(const std::string& role, Permission p, const std::string& key, bool prefix);
  tl::expected<void, Error> grant_role(const std::string& user, const std::string& role);
  tl::expected<void, Error> enable_auth();

  [[nodiscard]] const EtcdEndpoint& endpoint() const { return e_; }

 private:
  tl::expected<Json, Error> call(const char* path, const Json& body);
  tl::expected<Json, Error> call_once(const char* path, const Json& body);

  EtcdEndpoint e_;
  HttpClient http_;
  bool logged_in_ = false;
};

// An etcd reply that says the request's credentials are missing, expired or wrong.
bool is_auth_token_error(const Error& e);

// Parsers of the gateway's replies (exposed for tests and the fuzz target).
tl::expected<std::int64_t, Error> parse_int64(const Json& v, std::string_view what);
tl::expected<std::int64_t, Error> header_revision(const Json& reply);
tl::expected<KeyValue, Error> parse_key_value(const Json& kv);
tl::expected<RangeResult, Error> parse_range(const Json& reply);
tl::expected<TxnResult, Error> parse_txn(const Json& reply);
// One line of a watch stream.
struct WatchMessage {
  std::vector<WatchEvent> events;
  std::int64_t revision = 0;          // the store's revision when sent (a progress notice has only this)
  bool created = false;               // the watch's first answer: its revision says nothing of progress
  std::int64_t compact_revision = 0;  // > 0: the watch asked for history compacted away (it is cancelled)
};
// Its events or news, or an error (a watch cancelled for another reason, junk).
tl::expected<WatchMessage, Error> parse_watch_message(std::string_view line);

}  // namespace wattshare::cluster
