#include "config/config.hpp"

#include "config/listen_address.hpp"
#include "detect/detector_names.hpp"
#include "output/eve.hpp"
#include "proto/mime/file_hasher.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace postern::config {

using nlohmann::json;

bool Port::is_pci() const {
    // 0000:03:00.0 or 03:00.0
    const auto colon = device.find(':');
    const auto dot = device.find('.');
    return colon != std::string::npos && dot != std::string::npos && dot > colon &&
           device.rfind("net_", 0) != 0;
}

std::string Port::capture_file() const {
    if (device.rfind("net_pcap", 0) != 0) return "";
    if (device.find("infinite_rx=1") != std::string::npos) return "";
    const auto at = device.find("rx_pcap=");
    if (at == std::string::npos) return "";
    const auto start = at + 8;
    return device.substr(start, device.find(',', start) - start);
}

namespace {

// Reads typed fields of one JSON object, reporting wrong types and unknown keys by path.
class Reader {
public:
    Reader(const json &obj, std::string path, std::vector<std::string> &errors)
        : obj_(obj), path_(std::move(path)), errors_(errors) {
        if (!obj_.is_object()) error("", "must be an object");
    }
    ~Reader() {
        if (!obj_.is_object()) return;
        for (const auto &[k, v] : obj_.items())
            if (!known_.count(k)) error(k, "unknown key");
    }

    template <class T>
    void number(const char *key, T &out, uint64_t min, uint64_t max) {
        const json *v = find(key);
        if (!v) return;
        if (!v->is_number_unsigned()) return error(key, "must be a non-negative integer");
        const auto n = v->get<uint64_t>();
        if (n < min && max >= (1ull << 31)) return error(key, "must be ≥ " + std::to_string(min));
        if (n < min || n > max)
            return error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
        out = static_cast<T>(n);
    }
    void string(const char *key, std::string &out, bool allow_empty = false) {
        const json *v = find(key);
        if (!v) return;
        if (!v->is_string()) return error(key, "must be a string");
        if (!allow_empty && v->get<std::string>().empty()) return error(key, "must not be empty");
        out = v->get<std::string>();
    }
    void boolean(const char *key, bool &out) {
        const json *v = find(key);
        if (!v) return;
        if (!v->is_boolean()) return error(key, "must be true or false");
        out = v->get<bool>();
    }
    void string_list(const char *key, std::vector<std::string> &out) {
        const json *v = find(key);
        if (!v) return;
        if (!v->is_array()) return error(key, "must be an array of strings");
        out.clear();
        for (const auto &e : *v) {
            if (!e.is_string() || e.get<std::string>().empty()) return error(key, "must be an array of non-empty strings");
            out.push_back(e.get<std::string>());
        }
    }
    void policy(const char *key, FullPolicy &out) {
        std::string s;
        string(key, s);
        if (s.empty()) return;
        if (s == "drop") out = FullPolicy::Drop;
        else if (s == "wait") out = FullPolicy::Wait;
        else error(key, "must be \"drop\" or \"wait\"");
    }
    void lcore_list(const char *key, std::vector<unsigned> &out) {
        const json *v = find(key);
        if (!v) return;
        if (!v->is_array() || v->empty()) return error(key, "must be a non-empty array of lcore ids");
        out.clear();
        for (const auto &e : *v) {
            if (!e.is_number_unsigned() || e.get<uint64_t>() >= 1024)
                return error(key, "lcore ids must be integers below 1024");
            out.push_back(e.get<unsigned>());
        }
    }
    const json *object(const char *key) {
        const json *v = find(key);
        if (v && !v->is_object()) {
            error(key, "must be an object");
            return nullptr;
        }
        return v;
    }
    const json *find(const char *key) {
        known_.insert(key);
        if (!obj_.is_object()) return nullptr;
        auto it = obj_.find(key);
        return it == obj_.end() ? nullptr : &*it;
    }
    std::string child(const std::string &key) const { return path_.empty() ? key : path_ + "." + key; }
    void error(const std::string &key, const std::string &why) {
        errors_.push_back((key.empty() ? (path_.empty() ? "config" : path_) : child(key)) + ": " + why);
    }

private:
    const json &obj_;
    std::string path_;
    std::vector<std::string> &errors_;
    std::set<std::string> known_;
};

std::string resolve(const std::string &base, const std::string &p) {
    if (p.empty() || p[0] == '/' || base.empty() || base == ".") return p;
    return base + "/" + p;
}

// Makes a relative rx_pcap=/tx_pcap= path in a vdev string relative to the config's folder.
std::string resolve_device_paths(const std::string &device, const std::string &base) {
    std::string out;
    std::stringstream ss(device);
    std::string part;
    bool first = true;
    while (std::getline(ss, part, ',')) {
        for (const char *k : {"rx_pcap=", "tx_pcap="}) {
            if (part.rfind(k, 0) == 0) part = k + resolve(base, part.substr(std::string(k).size()));
        }
        out += (first ? "" : ",") + part;
        first = false;
    }
    return out;
}

void read_ports(Reader &top, Config &c, std::vector<std::string> &errors) {
    const json *ports = top.find("ports");
    if (!ports) return;
    if (!ports->is_array()) return top.error("ports", "must be an array");
    c.ports.clear();
    for (size_t i = 0; i < ports->size(); ++i) {
        Port p;
        const std::string path = "ports[" + std::to_string(i) + "]";
        Reader r((*ports)[i], path, errors);
        r.string("name", p.name);
        r.string("device", p.device);
        r.number("rx_queues", p.rx_queues, 1, 64);
        r.number("rx_descriptors", p.rx_descriptors, 64, 16384);
        r.string("peer", p.peer);
        if (p.device.empty()) r.error("device", "is required (a vdev such as net_pcap0,rx_pcap=FILE or a PCI address)");
        if (p.name.empty()) p.name = p.device.substr(0, p.device.find(','));
        p.device = resolve_device_paths(p.device, c.config_dir);
        c.ports.push_back(p);
    }
}

// Where a Redis is and how to talk to it: output.redis and detect.history.share.
void read_redis_connection(Reader &r, const json &j, output::RedisConfig &rc, const std::string &section,
                                  std::vector<std::string> &errors) {
    r.boolean("enabled", rc.enabled);
    r.string("server", rc.server);
    r.number("port", rc.port, 1, 65535);
    r.string("unix_socket", rc.unix_socket);
    r.string("username", rc.username);
    r.string("password_file", rc.password_file);
    r.string("password_env", rc.password_env);
    if (j.contains("password"))
        errors.push_back(section + ".password: not read from the config; use password_file or password_env");
    r.string("key", rc.key);
    r.number("stream_maxlen", rc.stream_maxlen, 1, 1u << 31);
    r.number("batch", rc.batch, 1, 100000);
    r.number("buffer_bytes", rc.buffer_bytes, 65536, 1u << 30);
}

// output.redis: Suricata's `filetype: redis` (lib/output/redis_output).
void read_redis(const json &j, output::RedisConfig &rc, std::vector<std::string> &errors) {
    Reader r(j, "output.redis", errors);
    read_redis_connection(r, j, rc, "output.redis", errors);
    std::string mode;
    r.string("mode", mode);
    if (mode == "list" || mode == "lpush") rc.mode = output::RedisMode::Lpush;
    else if (mode == "rpush") rc.mode = output::RedisMode::Rpush;
    else if (mode == "channel" || mode == "publish") rc.mode = output::RedisMode::Publish;
    else if (mode == "stream" || mode == "xadd") rc.mode = output::RedisMode::Xadd;
    else if (!mode.empty())
        errors.push_back("output.redis.mode: \"" + mode + "\" is not list, lpush, rpush, channel, publish, stream or xadd");
}

// detect.history.share: summaries to Redis Streams for `postern history` (lib/share).
void read_share(const json &j, share::ShareConfig &sc, std::vector<std::string> &errors) {
    Reader r(j, "detect.history.share", errors);
    read_redis_connection(r, j, sc.redis, "detect.history.share", errors);
    sc.enabled = sc.redis.enabled;
    r.number("shards", sc.shards, 1, 256);
    r.string("producer", sc.producer);
    r.boolean("local", sc.local);
    r.string("group", sc.group);
    r.number("clock_interval_ms", sc.clock_interval_ms, 10, 60000);
    r.number("producer_timeout_s", sc.producer_timeout_s, 1, 86400);
    if (sc.redis.key.empty()) r.error("key", "must not be empty (the streams' prefix)");
}

// The `detect` section: one object per detector, each with `enabled` and its thresholds.
void read_detect(Reader &top, detect::DetectConfig &d, share::ShareConfig &share, std::vector<std::string> &errors) {
    const json *det = top.object("detect");
    if (!det) return;
    Reader r(*det, "detect", errors);
    constexpr uint64_t kMax = UINT32_MAX;
    // A detector's action lives in detect.<detector name>, beside its thresholds when the
    // threshold section has the detector's name (nonconformance, dead_drop, auth_abuse).
    std::set<std::string> sections_read;
    auto action = [&](Reader &s, std::string_view name) {
        for (size_t id = 0; id < detect::kDetectors; ++id) {
            if (detect::kDetectorNames[id] != name) continue;
            std::string a;
            s.string("action", a);
            if (a == "drop") d.actions[id] = detect::AlertAction::Drop;
            else if (a == "reject") d.actions[id] = detect::AlertAction::Reject;
            else if (!a.empty() && a != "alert") s.error("action", "must be \"alert\", \"drop\" or \"reject\"");
        }
    };
    auto section = [&](const char *name, auto &&fn) {
        sections_read.insert(name);
        if (const json *o = r.object(name)) {
            Reader s(*o, std::string("detect.") + name, errors);
            fn(s);
            action(s, name);
        }
    };
    // A detector's own section: `enabled`, then its thresholds.
    auto detector = [&](const char *name, auto &c, auto &&thresholds) {
        section(name, [&](Reader &s) {
            s.boolean("enabled", c.enabled);
            thresholds(s, c);
        });
    };
    constexpr auto kNoThresholds = [](Reader &, auto &) {};
    detector("asymmetry", d.asymmetry, [&](Reader &s, auto &c) {
        s.number("min_bytes", c.min_bytes, 1, uint64_t{1} << 40);
        s.number("ratio", c.ratio, 2, kMax);
        s.number("min_opaque_bytes", c.min_opaque_bytes, 1, uint64_t{1} << 40);
        s.number("min_opaque_total_bytes", c.min_opaque_total_bytes, 1, uint64_t{1} << 40);
        s.number("window_s", c.window_s, 1, 86400 * 7);
    });
    detector("nonconformance", d.nonconformance, [&](Reader &s, auto &c) {
        s.number("min_unknown_commands", c.min_unknown_commands, 1, kMax);
        s.number("unknown_share_percent", c.unknown_share_percent, 0, 100);
        s.number("min_binary_lines", c.min_binary_lines, 1, kMax);
        s.number("min_overlong_lines", c.min_overlong_lines, 1, kMax);
        s.number("min_invalid_replies", c.min_invalid_replies, 1, kMax);
        s.number("min_after_quit", c.min_after_quit, 0, kMax);
    });
    detector("ports", d.ports, kNoThresholds);
    detector("encoded_fields", d.encoded_fields, [&](Reader &s, auto &c) {
        s.number("min_length", c.min_length, 8, 4096);
        s.number("min_entropy_centibits", c.min_entropy_centibits, 100, 800);
        s.number("min_hex_entropy_centibits", c.min_hex_entropy_centibits, 100, 400);
        s.number("min_message_id_length", c.min_message_id_length, 32, 4096);
    });
    detector("attachments", d.attachments,
             [&](Reader &s, auto &c) { s.number("min_trailing_bytes", c.min_trailing_bytes, 1, kMax); });
    detector("envelope", d.envelope, [&](Reader &s, auto &c) { s.number("min_indicators", c.min_indicators, 1, 5); });
    detector("cleartext_auth", d.cleartext_auth, kNoThresholds);
    detector("evasion", d.evasion, kNoThresholds);
    detector("beacon", d.beacon, [&](Reader &s, auto &c) {
        s.number("min_sessions", c.min_sessions, 3, 32);
        s.number("max_jitter_percent", c.max_jitter_percent, 1, 100);
        s.number("max_spread_percent", c.max_spread_percent, 1, 1000);
        s.number("min_period_s", c.min_period_s, 0, 86400);
        s.number("max_period_s", c.max_period_s, 1, 86400 * 7);
        s.number("realert_s", c.realert_s, 0, 86400 * 7);
    });
    detector("dead_drop", d.dead_drop, [&](Reader &s, auto &c) {
        s.number("min_sessions", c.min_sessions, 2, 16);
        s.number("window_s", c.window_s, 1, 86400 * 7);
        s.number("max_session_s", c.max_session_s, 1, 86400);
        s.number("min_shared_exchanges", c.min_shared_exchanges, 1, kMax);
    });
    detector("auth_abuse", d.auth_abuse, [&](Reader &s, auto &c) {
        s.number("min_failures", c.min_failures, 2, kMax);
        s.number("window_s", c.window_s, 1, 86400 * 7);
    });
    detector("smtp_size", d.smtp_size, [&](Reader &s, auto &c) {
        s.number("min_history", c.min_history, 1, 16);
        s.number("ratio", c.ratio, 2, kMax);
        s.number("min_bytes", c.min_bytes, 1, uint64_t{1} << 40);
    });
    section("history", [&](Reader &s) {
        s.number("max_keys", d.history.max_keys, 64, 1u << 24);
        if (const json *sh = s.object("share")) read_share(*sh, share, errors);
    });
    for (std::string_view name : detect::kDetectorNames)
        if (!sections_read.count(std::string(name))) section(std::string(name).c_str(), [](Reader &) {});
    if (d.beacon.min_period_s >= d.beacon.max_period_s)
        errors.push_back("detect.beacon.min_period_s: must be below max_period_s");
}

void read_api(const json &obj, Config &c, std::vector<std::string> &errors) {
    Reader r(obj, "api", errors);
    r.string("listen", c.api.listen, true);
    if (auto p = parse_listen_address(c.api.listen); !p.error.empty()) r.error("listen", p.error);
    r.string("token_file", c.api.token_file);
    c.api.token_file = resolve(c.config_dir, c.api.token_file);
    r.string("token_env", c.api.token_env);
    if (!c.api.token_file.empty() && !c.api.token_env.empty()) r.error("token_env", "give token_file or token_env, not both");
    r.number("max_body_bytes", c.api.max_body_bytes, 1024, 1u << 30);
    r.number("max_header_bytes", c.api.max_header_bytes, 1024, 1u << 20);
    r.number("max_connections", c.api.max_connections, 1, 4096);
    r.number("request_timeout_ms", c.api.request_timeout_ms, 10, 600000);
    r.boolean("read_token_required", c.api.read_token_required);
    if (c.api.read_token_required && c.api.token_file.empty() && c.api.token_env.empty())
        r.error("read_token_required", "needs a token (token_file or token_env)");
}

}  // namespace

void validate(const Config &c, std::vector<std::string> &errors) {
    if (c.ports.empty()) errors.push_back("ports: at least one port is required");
    // Inline: ports in pairs that name each other.
    for (size_t i = 0; i < c.ports.size(); ++i) {
        const Port &p = c.ports[i];
        const std::string field = "ports[" + std::to_string(i) + "].peer";
        if (c.mode == Mode::Tap) {
            if (!p.peer.empty()) errors.push_back(field + ": only in inline mode (\"mode\": \"inline\")");
            continue;
        }
        if (p.peer.empty()) {
            errors.push_back(field + ": inline mode needs every port's peer (the port its frames leave on)");
            continue;
        }
        const Port *peer = nullptr;
        for (const Port &q : c.ports)
            if (q.name == p.peer) peer = &q;
        if (!peer) errors.push_back(field + ": no port named \"" + p.peer + "\"");
        else if (peer == &p) errors.push_back(field + ": a port cannot be its own peer");
        else if (peer->peer != p.name)
            errors.push_back(field + ": \"" + p.peer + "\" names \"" + peer->peer + "\" as its peer, not \"" + p.name + "\"");
        else if (peer->rx_queues != p.rx_queues)
            errors.push_back(field + ": \"" + p.name + "\" has " + std::to_string(p.rx_queues) + " RX queues and \"" +
                             p.peer + "\" " + std::to_string(peer->rx_queues) + "; pairs need the same");
    }
    std::set<unsigned> used{c.lcores.control};
    for (unsigned l : c.lcores.rx)
        if (!used.insert(l).second) errors.push_back("lcores.rx: lcore " + std::to_string(l) + " has two roles");
    for (unsigned l : c.lcores.workers)
        if (!used.insert(l).second) errors.push_back("lcores.workers: lcore " + std::to_string(l) + " has two roles");
    if (c.lcores.workers.size() > 64) errors.push_back("lcores.workers: at most 64 workers");
    if (c.ring_size & (c.ring_size - 1)) errors.push_back("rx.ring_size: must be a power of two");
    size_t queues = 0, descriptors = 0;
    for (const auto &p : c.ports) queues += p.rx_queues, descriptors += size_t{p.rx_queues} * p.rx_descriptors;
    if (!c.ports.empty() && queues < c.lcores.rx.size())
        errors.push_back("lcores.rx: more RX lcores (" + std::to_string(c.lcores.rx.size()) +
                         ") than port queues (" + std::to_string(queues) + ")");
    // Every mbuf that can be parked somewhere must exist, or RX starves.
    const size_t parked = descriptors + c.lcores.rx.size() * c.lcores.workers.size() * c.ring_size +
                          c.lcores.workers.size() * (c.max_held_segments_per_worker + c.burst) +
                          (c.lcores.rx.size() + c.lcores.workers.size()) * c.mbuf_cache * 2 +
                          c.lcores.rx.size() * c.burst +
                          // IP fragments held for reassembly, and (inline) frames in TX rings.
                          c.lcores.rx.size() * c.defrag_max_fragments +
                          (c.mode == Mode::Inline ? c.ports.size() * (c.lcores.rx.size() + c.lcores.workers.size()) * 512 : 0);
    if (c.mbufs < parked)
        errors.push_back("mempool.mbufs: " + std::to_string(c.mbufs) + " is too few; rings, descriptors, " +
                         "caches, held segments and fragments can park " + std::to_string(parked));
    if (c.max_held_segments_per_flow > c.max_held_segments_per_worker)
        errors.push_back("flow.max_held_segments_per_flow: must not exceed max_held_segments_per_worker");
}

// output.files.store: Suricata's filestore (lib/filestore).
static void read_file_store(const json &j, FullPolicy queue_default, filestore::StoreConfig &st,
                            std::vector<std::string> &errors) {
    Reader r(j, "output.files.store", errors);
    FullPolicy on_full = queue_default;
    r.policy("on_queue_full", on_full);
    st.wait_when_full = on_full == FullPolicy::Wait;
    r.boolean("enabled", st.enabled);
    r.string("dir", st.dir);
    std::vector<std::string> kinds;
    r.string_list("kinds", kinds);
    if (j.contains("kinds")) {
        st.kinds = 0;
        for (const auto &k : kinds) {
            if (k == "attachments") st.kinds |= proto::kStoreAttachments;
            else if (k == "messages") st.kinds |= proto::kStoreMessages;
            else errors.push_back("output.files.store.kinds: unknown kind \"" + k + "\" (attachments, messages)");
        }
        if (kinds.empty()) errors.push_back("output.files.store.kinds: must name attachments, messages or both");
    }
    std::string select = st.all ? "all" : "rules";
    r.string("select", select);
    if (select != "all" && select != "rules")
        errors.push_back("output.files.store.select: must be \"all\" or \"rules\" (files of transactions where a rule with \"filestore\" fired), not \"" + select + "\"");
    st.all = select == "all";
    r.number("max_file_bytes", st.max_file_bytes, 1, uint64_t{1} << 40);
    r.number("max_total_bytes", st.max_total_bytes, 1, uint64_t{1} << 50);
    r.number("queue_bytes", st.queue_bytes, 65536, 1u << 30);
    r.number("max_open_files", st.max_open_files, 1, 65534);
}

LoadResult parse_config(const std::string &json_text, const std::string &base_dir) {
    LoadResult res;
    Config &c = res.config;
    c.config_dir = base_dir;
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::exception &e) {  // parse_error, or out_of_range for a number beyond a double
        res.errors.push_back(std::string("config: invalid JSON: ") + e.what());
        return res;
    }
    auto &errors = res.errors;
    {  // the readers report unknown keys when they go out of scope: before the return
        Reader top(j, "", errors);
        std::string mode = "tap";
        top.string("mode", mode);
        if (mode == "tap") c.mode = Mode::Tap;
        else if (mode == "inline") c.mode = Mode::Inline;
        else top.error("mode", "must be \"tap\" or \"inline\"");
        if (const json *eal = top.find("eal")) {
            if (!eal->is_array()) top.error("eal", "must be an array of strings");
            else
                for (const auto &a : *eal) {
                    if (!a.is_string()) { top.error("eal", "must be an array of strings"); break; }
                    c.eal_args.push_back(a.get<std::string>());
                }
        }
        read_ports(top, c, errors);
        if (const json *l = top.object("lcores")) {
            Reader r(*l, "lcores", errors);
            r.number("control", c.lcores.control, 0, 1023);
            r.lcore_list("rx", c.lcores.rx);
            r.lcore_list("workers", c.lcores.workers);
        }
        if (const json *rx = top.object("rx")) {
            Reader r(*rx, "rx", errors);
            r.number("burst", c.burst, 1, 512);
            r.number("ring_size", c.ring_size, 64, 1u << 20);
            r.policy("on_ring_full", c.on_ring_full);
            r.number("idle_sleep_us", c.idle_sleep_us, 0, 100000);
        }
        if (const json *m = top.object("mempool")) {
            Reader r(*m, "mempool", errors);
            r.number("mbufs", c.mbufs, 1024, 1u << 26);
            r.number("cache", c.mbuf_cache, 0, 512);
            r.number("data_room", c.mbuf_data_room, 1024, 65535);
        }
        if (const json *f = top.object("flow")) {
            Reader r(*f, "flow", errors);
            r.number("max_flows_per_worker", c.max_flows_per_worker, 16, 1u << 26);
            r.number("max_held_segments_per_flow", c.max_held_segments_per_flow, 1, 65535);
            r.number("max_held_segments_per_worker", c.max_held_segments_per_worker, 1, 1u << 24);
            r.boolean("stream_digest", c.stream_digest);
            r.number("hash_seed", c.flow_hash_seed, 0, UINT64_MAX);
            if (const json *t = r.object("timeouts")) {
                Reader tr(*t, "flow.timeouts", errors);
                tr.number("tcp_new", c.timeouts.tcp_new, 1, 86400);
                tr.number("tcp_established", c.timeouts.tcp_established, 1, 86400 * 7);
                tr.number("tcp_closed", c.timeouts.tcp_closed, 0, 86400);
                tr.number("udp", c.timeouts.udp, 1, 86400);
            }
        }
        if (const json *a = top.object("app")) {
            Reader r(*a, "app", errors);
            r.number("max_sessions_per_worker", c.max_app_sessions_per_worker, 0, 1u << 20);
            r.number("idle_timeout", c.app_idle_timeout, 1, 86400);
            r.number("one_sided_timeout", c.app_one_sided_timeout, 1, 86400);
        }
        if (const json *st = top.object("stream")) {
            Reader r(*st, "stream", errors);
            std::string validation;
            r.string("checksum_validation", validation);
            if (validation == "auto") c.checksum_validation = ChecksumValidation::Auto;
            else if (validation == "yes") c.checksum_validation = ChecksumValidation::Yes;
            else if (validation == "no") c.checksum_validation = ChecksumValidation::No;
            else if (!validation.empty()) errors.push_back("stream.checksum_validation: must be \"auto\", \"yes\" or \"no\"");
        }
        if (const json *in = top.object("inline")) {
            Reader r(*in, "inline", errors);
            r.boolean("forward_uninspected", c.inline_mode.forward_uninspected);
            std::string v;
            r.string("on_overload", v);
            if (v == "drop") c.inline_mode.on_overload = OverloadPolicy::Drop;
            else if (!v.empty() && v != "forward") r.error("on_overload", "must be \"forward\" or \"drop\"");
            v.clear();
            r.string("on_exception", v);
            if (v == "drop-flow") c.inline_mode.on_exception = ExceptionPolicy::DropFlow;
            else if (!v.empty() && v != "forward") r.error("on_exception", "must be \"forward\" or \"drop-flow\"");
            r.number("tx_retries", c.inline_mode.tx_retries, 0, 1000);
            r.number("test_slow_worker_us", c.inline_mode.test_slow_worker_us, 0, 1000000);
        }
        if (const json *bp = top.object("bypass")) {
            Reader r(*bp, "bypass", errors);
            r.boolean("tls", c.bypass.tls);
            r.boolean("failed_detection", c.bypass.failed_detection);
            r.number("inspection_depth", c.bypass.inspection_depth, 0, UINT64_MAX);
        }
        if (const json *df = top.object("defrag")) {
            Reader r(*df, "defrag", errors);
            r.number("max_datagrams", c.defrag_max_datagrams, 1, 1u << 20);
            r.number("max_fragments", c.defrag_max_fragments, 1, 1u << 22);
            r.number("timeout", c.defrag_timeout, 1, 3600);
        }
        if (const json *rl = top.object("rules")) {
            Reader r(*rl, "rules", errors);
            r.string_list("files", c.rules.files);
            for (auto &f : c.rules.files) f = resolve(c.config_dir, f);
            r.number("threshold_entries", c.rules.threshold_entries, 4, 1u << 24);
        }
        if (const json *o = top.object("output")) {
            Reader r(*o, "output", errors);
            r.string("eve_log", c.eve_log);
            r.number("stats_interval", c.stats_interval, 0, 86400);
            r.number("event_queue_bytes", c.event_queue_bytes, 65536, 1u << 30);
            r.policy("on_event_queue_full", c.on_event_queue_full);
            if (const json *f = r.object("files")) {  // Suricata's force-hash: digests of every file
                Reader fr(*f, "output.files", errors);
                std::vector<std::string> hashes;
                fr.string_list("hashes", hashes);
                for (const auto &h : hashes) {
                    if (h == "md5") c.file_hashes |= proto::kMd5;
                    else if (h == "sha1") c.file_hashes |= proto::kSha1;
                    else if (h == "sha256") c.file_hashes |= proto::kSha256;
                    else errors.push_back("output.files.hashes: unknown hash \"" + h + "\" (md5, sha1, sha256)");
                }
                fr.boolean("hash_messages", c.hash_messages);
                if (const json *st = fr.object("store")) read_file_store(*st, c.on_event_queue_full, c.file_store, errors);
            }
            if (const json *rd = r.object("redis")) read_redis(*rd, c.redis, errors);
            // Which event types the EVE log gets, as Suricata's eve-log `types` (default: all).
            std::vector<std::string> types;
            r.string_list("types", types);
            if (o->contains("types")) {
                c.eve_types = 0;
                for (const auto &name : types) {
                    int t = 0;
                    while (t < output::kEveTypes && output::eve_type_name(static_cast<output::EveType>(t)) != name) ++t;
                    if (t == output::kEveTypes) errors.push_back("output.types: unknown event type \"" + name + "\"");
                    else c.eve_types |= 1u << t;
                }
            }
        }
        read_detect(top, c.detect, c.history_share, errors);
        if (const json *a = top.object("api")) read_api(*a, c, errors);
    }
    return res;
}

LoadResult load_config_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) {
        LoadResult r;
        r.errors.push_back("config: cannot read " + path);
        return r;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    const auto slash = path.rfind('/');
    return parse_config(ss.str(), slash == std::string::npos ? "." : path.substr(0, slash));
}

}  // namespace postern::config
