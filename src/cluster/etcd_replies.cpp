// etcd's JSON gateway replies, parsed (no I/O: the fuzz build links this without the network).
#include <fmt/format.h>

#include "cluster/etcd_client.hpp"
#include "core/base64.hpp"

namespace wattshare::cluster {
namespace {

Error bad_reply(std::string_view what) { return Error::bad_input(fmt::format("etcd: {}", what)); }

}  // namespace

tl::expected<EtcdEndpoint, Error> parse_endpoint(std::string_view text, const TlsFiles& tls) {
  const auto colon = text.rfind(':');
  if (colon != std::string_view::npos && colon > 0) {
    int port = 0;
    const std::string_view digits = text.substr(colon + 1);
    bool ok = !digits.empty() && digits.size() <= 5;
    for (char c : digits) {
      ok = ok && c >= '0' && c <= '9';
      port = ok ? port * 10 + (c - '0') : port;
    }
    if (ok && port > 0 && port < 65536) {
      EtcdEndpoint e{std::string(text.substr(0, colon)), static_cast<std::uint16_t>(port), std::nullopt};
      if (!tls.ca_file.empty() || !tls.cert_file.empty() || !tls.key_file.empty()) e.tls = tls;
      return e;
    }
  }
  return tl::unexpected(Error::bad_input(fmt::format("--etcd: expected HOST:PORT, got \"{}\"", text)));
}

tl::expected<std::int64_t, Error> header_revision(const Json& reply) {
  if (!reply.contains("header") || !reply["header"].is_object()) return tl::unexpected(bad_reply("a reply without a header"));
  return parse_int64(reply["header"].value("revision", Json("0")), "header.revision");
}

std::string prefix_end(std::string_view prefix) {
  std::string end{prefix};
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xFF) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

tl::expected<std::int64_t, Error> parse_int64(const Json& v, std::string_view what) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (!v.is_string()) return tl::unexpected(bad_reply(fmt::format("{}: expected a number, got {}", what, describe_json(v))));
  const std::string& s = v.get_ref<const std::string&>();
  std::size_t used = 0;
  try {
    const long long n = std::stoll(s, &used);
    if (used == s.size()) return n;
  } catch (const std::exception&) {
  }
  return tl::unexpected(bad_reply(fmt::format("{}: expected a number, got \"{}\"", what, s)));
}

tl::expected<KeyValue, Error> parse_key_value(const Json& kv) {
  if (!kv.is_object()) return tl::unexpected(bad_reply("a key-value that is not an object"));
  KeyValue out;
  auto key = base64_decode(kv.value("key", ""));
  auto value = base64_decode(kv.value("value", ""));
  if (!key || key->empty()) return tl::unexpected(bad_reply("a key that is missing or not base64"));
  if (!value) return tl::unexpected(bad_reply(fmt::format("the value of {} is not base64", *key)));
  out.key = std::move(*key);
  out.value = std::move(*value);
  for (auto [name, slot] : {std::pair{"create_revision", &out.create_revision}, std::pair{"mod_revision", &out.mod_revision},
                            std::pair{"version", &out.version}, std::pair{"lease", &out.lease}}) {
    if (!kv.contains(name)) continue;
    auto n = parse_int64(kv[name], name);
    if (!n) return tl::unexpected(n.error());
    *slot = *n;
  }
  return out;
}

tl::expected<RangeResult, Error> parse_range(const Json& reply) {
  RangeResult r;
  auto rev = header_revision(reply);
  if (!rev) return tl::unexpected(rev.error());
  r.revision = *rev;
  if (!reply.contains("kvs")) return r;
  if (!reply["kvs"].is_array()) return tl::unexpected(bad_reply("kvs is not a list"));
  for (const auto& kv : reply["kvs"]) {
    auto one = parse_key_value(kv);
    if (!one) return tl::unexpected(one.error());
    r.kvs.push_back(std::move(*one));
  }
  return r;
}

tl::expected<TxnResult, Error> parse_txn(const Json& reply) {
  TxnResult t;
  auto rev = header_revision(reply);
  if (!rev) return tl::unexpected(rev.error());
  t.revision = *rev;
  const Json& ok = reply.contains("succeeded") ? reply["succeeded"] : Json(false);
  if (!ok.is_boolean()) return tl::unexpected(bad_reply("succeeded is not true or false"));
  t.succeeded = ok.get<bool>();
  if (!reply.contains("responses")) return t;
  if (!reply["responses"].is_array()) return tl::unexpected(bad_reply("responses is not a list"));
  for (const auto& r : reply["responses"]) {
    if (!r.is_object() || !r.contains("response_range")) continue;
    const Json& range = r["response_range"];
    if (!range.is_object() || !range.contains("kvs")) continue;
    if (!range["kvs"].is_array()) return tl::unexpected(bad_reply("a ranged kvs is not a list"));
    for (const auto& kv : range["kvs"]) {
      auto one = parse_key_value(kv);
      if (!one) return tl::unexpected(one.error());
      t.ranged.push_back(std::move(*one));
    }
  }
  return t;
}

tl::expected<WatchMessage, Error> parse_watch_message(std::string_view line) {
  auto doc = parse_json_text(line, "etcd watch");
  if (!doc) return tl::unexpected(doc.error());
  if (doc->contains("error")) return tl::unexpected(bad_reply(fmt::format("watch: {}", dump_json((*doc)["error"]))));
  if (!doc->contains("result") || !(*doc)["result"].is_object()) return tl::unexpected(bad_reply("a watch message without a result"));
  const Json& result = (*doc)["result"];
  WatchMessage m;
  if (result.contains("header") && result["header"].is_object() && result["header"].contains("revision")) {
    auto rev = parse_int64(result["header"]["revision"], "header.revision");
    if (!rev) return tl::unexpected(rev.error());
    m.revision = *rev;
  }
  m.created = result.value("created", false);
  if (result.contains("compact_revision")) {
    auto rev = parse_int64(result["compact_revision"], "compact_revision");
    if (!rev) return tl::unexpected(rev.error());
    m.compact_revision = *rev;
  }
  if (result.value("canceled", false) && m.compact_revision == 0) {
    return tl::unexpected(bad_reply(fmt::format("the watch was cancelled: {}", result.value("cancel_reason", "no reason given"))));
  }
  if (!result.contains("events")) return m;
  if (!result["events"].is_array()) return tl::unexpected(bad_reply("events is not a list"));
  for (const auto& e : result["events"]) {
    if (!e.is_object() || !e.contains("kv")) return tl::unexpected(bad_reply("an event without a kv"));
    WatchEvent ev;
    const std::string type = e.value("type", "PUT");
    if (type != "PUT" && type != "DELETE") return tl::unexpected(bad_reply(fmt::format("an event of type {}", type)));
    ev.type = type == "DELETE" ? WatchEvent::Type::kDelete : WatchEvent::Type::kPut;
    Json kv = e["kv"];
    if (ev.type == WatchEvent::Type::kDelete && !kv.contains("value")) kv["value"] = "";
    auto parsed = parse_key_value(kv);
    if (!parsed) return tl::unexpected(parsed.error());
    ev.kv = std::move(*parsed);
    m.events.push_back(std::move(ev));
  }
  return m;
}

}  // namespace wattshare::cluster
