// Configuration parsing and validation: a good file gives the values it says, and every kind of
// mistake is reported with the path of the field at fault.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "config/config.hpp"
#include "output/eve.hpp"
#include "proto/mime/file_hasher.hpp"
#include "detect/detector_alert.hpp"

namespace {

using postern::config::Config;
using postern::config::FullPolicy;
using postern::config::load_config_file;
using postern::config::LoadResult;
using postern::config::Mode;
using postern::config::parse_config;
using postern::config::Port;
using postern::config::validate;
using postern::config::OverloadPolicy;
using postern::config::ExceptionPolicy;

const char *kFullConfig = R"({
  "mode": "tap",
  "eal": ["--no-huge", "-m", "512"],
  "ports": [
    {"name": "mail0", "device": "net_pcap0,rx_pcap=caps/mail.pcap", "rx_queues": 2, "rx_descriptors": 512},
    {"device": "0000:03:00.0"}
  ],
  "lcores": {"control": 0, "rx": [1, 2], "workers": [3, 4, 5]},
  "rx": {"burst": 64, "ring_size": 1024, "on_ring_full": "wait", "idle_sleep_us": 10},
  "mempool": {"mbufs": 131072, "cache": 128, "data_room": 2048},
  "flow": {
    "max_flows_per_worker": 1000,
    "max_held_segments_per_flow": 32,
    "max_held_segments_per_worker": 4096,
    "stream_digest": true,
    "timeouts": {"tcp_new": 5, "tcp_established": 300, "tcp_closed": 0, "udp": 30}
  },
  "output": {"eve_log": "-", "stats_interval": 0, "event_queue_bytes": 65536, "on_event_queue_full": "wait"}
})";

std::string errors_of(const LoadResult &r) {
    std::string s;
    for (const auto &e : r.errors) s += e + "\n";
    return s;
}

// What the program does with a file: field checks, then (when they pass) the cross-field checks.
LoadResult load(const std::string &text, const std::string &base = ".") {
    LoadResult r = parse_config(text, base);
    if (r.ok()) validate(r.config, r.errors);
    return r;
}

// Loads `text` and expects an error that starts with `field: ` and mentions `reason_part`.
void expect_error(const std::string &text, const std::string &field, const std::string &reason_part = "") {
    const LoadResult r = load(text, "/etc/postern");
    ASSERT_FALSE(r.ok()) << text;
    bool found = false;
    for (const auto &e : r.errors)
        if (e.rfind(field + ": ", 0) == 0 && e.find(reason_part) != std::string::npos) found = true;
    EXPECT_TRUE(found) << "wanted \"" << field << ": ..." << reason_part << "\" for " << text << "\ngot:\n"
                       << errors_of(r);
}

// A minimal valid config with one extra top-level member spliced in.
std::string with(const std::string &member) {
    return R"({"ports": [{"device": "net_null0"}])" + (member.empty() ? "" : ", " + member) + "}";
}

TEST(Config, FullConfigGivesItsValues) {
    const LoadResult r = load(kFullConfig, "/etc/postern");
    ASSERT_TRUE(r.ok()) << errors_of(r);
    const Config &c = r.config;
    EXPECT_EQ(c.mode, Mode::Tap);
    EXPECT_EQ(c.eal_args, (std::vector<std::string>{"--no-huge", "-m", "512"}));
    ASSERT_EQ(c.ports.size(), 2u);
    EXPECT_EQ(c.ports[0].name, "mail0");
    EXPECT_EQ(c.ports[0].device, "net_pcap0,rx_pcap=/etc/postern/caps/mail.pcap");
    EXPECT_EQ(c.ports[0].rx_queues, 2);
    EXPECT_EQ(c.ports[0].rx_descriptors, 512);
    EXPECT_EQ(c.ports[1].name, "0000:03:00.0");  // defaults to the device
    EXPECT_EQ(c.ports[1].device, "0000:03:00.0");
    EXPECT_EQ(c.ports[1].rx_queues, 1);
    EXPECT_EQ(c.ports[1].rx_descriptors, 1024);
    EXPECT_EQ(c.lcores.control, 0u);
    EXPECT_EQ(c.lcores.rx, (std::vector<unsigned>{1, 2}));
    EXPECT_EQ(c.lcores.workers, (std::vector<unsigned>{3, 4, 5}));
    EXPECT_EQ(c.burst, 64);
    EXPECT_EQ(c.ring_size, 1024u);
    EXPECT_EQ(c.on_ring_full, FullPolicy::Wait);
    EXPECT_EQ(c.idle_sleep_us, 10u);
    EXPECT_EQ(c.mbufs, 131072u);
    EXPECT_EQ(c.mbuf_cache, 128u);
    EXPECT_EQ(c.mbuf_data_room, 2048);
    EXPECT_EQ(c.max_flows_per_worker, 1000u);
    EXPECT_EQ(c.max_held_segments_per_flow, 32u);
    EXPECT_EQ(c.max_held_segments_per_worker, 4096u);
    EXPECT_TRUE(c.stream_digest);
    EXPECT_EQ(c.timeouts.tcp_new, 5u);
    EXPECT_EQ(c.timeouts.tcp_established, 300u);
    EXPECT_EQ(c.timeouts.tcp_closed, 0u);
    EXPECT_EQ(c.timeouts.udp, 30u);
    EXPECT_EQ(c.eve_log, "-");
    EXPECT_EQ(c.stats_interval, 0u);
    EXPECT_EQ(c.event_queue_bytes, 65536u);
    EXPECT_EQ(c.on_event_queue_full, FullPolicy::Wait);
    EXPECT_EQ(c.config_dir, "/etc/postern");
}

TEST(Config, MinimalConfigKeepsTheDefaults) {
    const LoadResult r = load(with(""));
    ASSERT_TRUE(r.ok()) << errors_of(r);
    const Config &c = r.config;
    const Config d;
    EXPECT_EQ(c.mode, d.mode);
    EXPECT_TRUE(c.eal_args.empty());
    ASSERT_EQ(c.ports.size(), 1u);
    EXPECT_EQ(c.ports[0].name, "net_null0");
    EXPECT_EQ(c.lcores.control, d.lcores.control);
    EXPECT_EQ(c.lcores.rx, d.lcores.rx);
    EXPECT_EQ(c.lcores.workers, d.lcores.workers);
    EXPECT_EQ(c.burst, d.burst);
    EXPECT_EQ(c.ring_size, d.ring_size);
    EXPECT_EQ(c.on_ring_full, FullPolicy::Drop);
    EXPECT_EQ(c.mbufs, d.mbufs);
    EXPECT_EQ(c.max_flows_per_worker, d.max_flows_per_worker);
    EXPECT_EQ(c.timeouts.tcp_established, d.timeouts.tcp_established);
    EXPECT_EQ(c.eve_log, "eve.json");
    EXPECT_EQ(c.on_event_queue_full, FullPolicy::Drop);
    EXPECT_FALSE(c.stream_digest);
    EXPECT_EQ(c.max_app_sessions_per_worker, d.max_app_sessions_per_worker);
}

// Cross-field checks wait for command-line overrides: parsing alone accepts a config without ports.
TEST(Config, ParsingAloneLeavesCrossFieldChecksToValidate) {
    LoadResult r = parse_config("{}", ".");
    EXPECT_TRUE(r.ok()) << errors_of(r);
    validate(r.config, r.errors);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "ports: at least one port is required");
}

TEST(Config, AppSection) {
    LoadResult r = load(with(R"("app": {"max_sessions_per_worker": 0})"));
    ASSERT_TRUE(r.ok()) << errors_of(r);
    EXPECT_EQ(r.config.max_app_sessions_per_worker, 0u);
    expect_error(with(R"("app": {"max_sessions_per_worker": 1048577})"), "app.max_sessions_per_worker", "between");
    expect_error(with(R"("app": {"sessions": 1})"), "app.sessions", "unknown key");
    expect_error(with(R"("app": [])"), "app", "must be an object");
}

TEST(Config, FileStoreSection) {
    LoadResult r = load(with(R"("output": {"files": {"store": {"enabled": true, "dir": "/var/lib/postern/files",
        "kinds": ["messages"], "select": "rules", "max_file_bytes": 1000, "max_total_bytes": 5000}}})"));
    ASSERT_TRUE(r.ok()) << errors_of(r);
    const auto &st = r.config.file_store;
    EXPECT_TRUE(st.enabled);
    EXPECT_EQ(st.dir, "/var/lib/postern/files");
    EXPECT_EQ(st.kinds, postern::proto::kStoreMessages);
    EXPECT_FALSE(st.all);
    EXPECT_EQ(st.max_file_bytes, 1000u);
    EXPECT_EQ(st.max_total_bytes, 5000u);
    EXPECT_FALSE(load(with(R"("output": {})")).config.file_store.enabled);
    expect_error(with(R"("output": {"files": {"store": {"kinds": ["pictures"]}}})"), "output.files.store.kinds", "unknown kind");
    expect_error(with(R"("output": {"files": {"store": {"select": "some"}}})"), "output.files.store.select", "must be");
    expect_error(with(R"("output": {"files": {"store": {"max_file_bytes": 0}}})"), "output.files.store.max_file_bytes", "must be");
    expect_error(with(R"("output": {"files": {"store": {"enable": true}}})"), "output.files.store.enable", "unknown key");
}

TEST(Config, HashMessagesSwitch) {
    EXPECT_TRUE(load(with(R"("output": {})")).config.hash_messages);
    const LoadResult r = load(with(R"("output": {"files": {"hashes": ["sha256"], "hash_messages": false}})"));
    ASSERT_TRUE(r.ok()) << errors_of(r);
    EXPECT_FALSE(r.config.hash_messages);
    expect_error(with(R"("output": {"files": {"hash_messages": "no"}})"), "output.files.hash_messages", "");
}

TEST(Config, RedisSection) {
    LoadResult r = load(with(R"("output": {"redis": {"enabled": true, "server": "10.0.0.5", "port": 6380,
        "mode": "stream", "key": "eve", "password_env": "REDIS_PW", "batch": 128}})"));
    ASSERT_TRUE(r.ok()) << errors_of(r);
    EXPECT_TRUE(r.config.redis.enabled);
    EXPECT_EQ(r.config.redis.mode, postern::output::RedisMode::Xadd);
    EXPECT_EQ(r.config.redis.port, 6380u);
    EXPECT_EQ(r.config.redis.password_env, "REDIS_PW");
    EXPECT_EQ(load(with(R"("output": {"redis": {"mode": "channel"}})")).config.redis.mode, postern::output::RedisMode::Publish);
    expect_error(with(R"("output": {"redis": {"mode": "queue"}})"), "output.redis.mode", "is not list");
    expect_error(with(R"("output": {"redis": {"password": "x"}})"), "output.redis.password", "password_file");
    expect_error(with(R"("output": {"redis": {"port": 0}})"), "output.redis.port", "must be");
}

TEST(Config, HistoryShareSection) {
    LoadResult r = load(with(R"("detect": {"history": {"max_keys": 1024, "share": {"enabled": true, "port": 6390,
        "shards": 4, "producer": "tap-a", "key": "site1:summaries", "password_file": "/etc/postern/redis.pw",
        "producer_timeout_s": 60}}})"));
    ASSERT_TRUE(r.ok()) << errors_of(r);
    const auto &sh = r.config.history_share;
    EXPECT_TRUE(sh.enabled);
    EXPECT_EQ(sh.shards, 4u);
    EXPECT_EQ(sh.producer, "tap-a");
    EXPECT_EQ(sh.redis.key, "site1:summaries");
    EXPECT_EQ(sh.redis.port, 6390u);
    EXPECT_EQ(sh.producer_timeout_s, 60u);
    EXPECT_FALSE(sh.local);
    EXPECT_EQ(r.config.detect.history.max_keys, 1024u);
    EXPECT_FALSE(load(with(R"("output": {"eve_log": "-"})")).config.history_share.enabled);  // off by default
    expect_error(with(R"("detect": {"history": {"share": {"shards": 0}}})"), "detect.history.share.shards", "between");
    expect_error(with(R"("detect": {"history": {"share": {"shards": 257}}})"), "detect.history.share.shards", "between");
    expect_error(with(R"("detect": {"history": {"share": {"key": ""}}})"), "detect.history.share.key", "must not be empty");
    expect_error(with(R"("detect": {"history": {"share": {"password": "x"}}})"), "detect.history.share.password",
                 "password_file");
}

TEST(Config, RulesSection) {
    LoadResult r = parse_config(R"({"rules": {"files": ["rules", "/etc/postern/extra.json"], "threshold_entries": 64}})",
                                "/opt/postern/config");
    ASSERT_TRUE(r.ok()) << errors_of(r);
    // Relative paths are the config folder's, as rx_pcap files are.
    EXPECT_EQ(r.config.rules.files, (std::vector<std::string>{"/opt/postern/config/rules", "/etc/postern/extra.json"}));
    EXPECT_EQ(r.config.rules.threshold_entries, 64u);
    expect_error(with(R"("rules": {"files": "rules"})"), "rules.files", "array of strings");
    expect_error(with(R"("rules": {"files": [""]})"), "rules.files", "non-empty strings");
    expect_error(with(R"("rules": {"threshold_entries": 2})"), "rules.threshold_entries", "between");
    expect_error(with(R"("rules": {"path": "x"})"), "rules.path", "unknown key");
}

TEST(Config, BadJson) {
    for (const char *text : {"", "{", "{\"ports\": [}", "{\"a\":1,}", "not json", "{\"a\": 01}",
                             "{\"rx\": {\"burst\": 1e99999}}"}) {  // out of a double's range: not a parse_error
        const LoadResult r = parse_config(text, ".");
        ASSERT_EQ(r.errors.size(), 1u) << text;
        EXPECT_EQ(r.errors[0].rfind("config: invalid JSON", 0), 0u) << r.errors[0];
    }
}

TEST(Config, TopLevelMustBeAnObject) {
    for (const char *text : {"[]", "42", "\"config\"", "null"}) {
        const LoadResult r = parse_config(text, ".");
        ASSERT_FALSE(r.ok()) << text;
        // The message names what is wrong, not an empty field.
        EXPECT_EQ(r.errors[0], "config: must be an object") << text;
    }
}

TEST(Config, UnknownKeysAreNamedWithTheirPath) {
    expect_error(with(R"("bogus": 1)"), "bogus", "unknown key");
    expect_error(with(R"("rx": {"burst": 32, "brust": 32})"), "rx.brust", "unknown key");
    expect_error(with(R"("lcores": {"worker": [2]})"), "lcores.worker", "unknown key");
    expect_error(with(R"("mempool": {"size": 1})"), "mempool.size", "unknown key");
    expect_error(with(R"("flow": {"timeouts": {"tcp_syn": 5}})"), "flow.timeouts.tcp_syn", "unknown key");
    expect_error(with(R"("output": {"file": "x"})"), "output.file", "unknown key");
    expect_error(R"({"ports": [{"device": "net_null0"}, {"device": "net_null1", "queues": 2}]})",
                 "ports[1].queues", "unknown key");
}

TEST(Config, WrongTypesAreNamed) {
    expect_error(with(R"("mode": 5)"), "mode", "must be a string");
    expect_error(with(R"("mode": "")"), "mode", "must not be empty");
    expect_error(with(R"("eal": "--no-huge")"), "eal", "array of strings");
    expect_error(with(R"("eal": ["-m", 512])"), "eal", "array of strings");
    expect_error(R"({"ports": {"device": "net_null0"}})", "ports", "must be an array");
    expect_error(R"({"ports": ["net_null0"]})", "ports[0]", "must be an object");
    expect_error(R"({"ports": [{"device": 7}]})", "ports[0].device", "must be a string");
    expect_error(R"({"ports": [{"device": "net_null0", "name": ""}]})", "ports[0].name", "must not be empty");
    expect_error(R"({"ports": [{"device": "net_null0", "rx_queues": "2"}]})", "ports[0].rx_queues",
                 "non-negative integer");
    expect_error(with(R"("rx": 32)"), "rx", "must be an object");
    expect_error(with(R"("rx": {"burst": "32"})"), "rx.burst", "non-negative integer");
    expect_error(with(R"("rx": {"burst": -1})"), "rx.burst", "non-negative integer");
    expect_error(with(R"("rx": {"burst": 32.5})"), "rx.burst", "non-negative integer");
    expect_error(with(R"("rx": {"burst": true})"), "rx.burst", "non-negative integer");
    expect_error(with(R"("rx": {"on_ring_full": "block"})"), "rx.on_ring_full", "\"drop\" or \"wait\"");
    expect_error(with(R"("rx": {"on_ring_full": 1})"), "rx.on_ring_full", "must be a string");
    expect_error(with(R"("lcores": {"rx": 1})"), "lcores.rx", "non-empty array");
    expect_error(with(R"("lcores": {"rx": []})"), "lcores.rx", "non-empty array");
    expect_error(with(R"("lcores": {"workers": [2, "3"]})"), "lcores.workers", "below 1024");
    expect_error(with(R"("lcores": {"workers": [-1]})"), "lcores.workers", "below 1024");
    expect_error(with(R"("flow": {"stream_digest": "yes"})"), "flow.stream_digest", "true or false");
    expect_error(with(R"("flow": {"timeouts": []})"), "flow.timeouts", "must be an object");
    expect_error(with(R"("output": {"eve_log": null})"), "output.eve_log", "must be a string");
    expect_error(with(R"("output": {"types": ["alert", "mail"]})"), "output.types", "unknown event type \"mail\"");
    expect_error(with(R"("output": {"types": "alert"})"), "output.types", "array of strings");
}

TEST(Config, EveTypesSelectWhatTheLogGets) {
    using postern::output::EveType;
    const auto bit = [](EveType t) { return static_cast<unsigned>(t); };
    EXPECT_TRUE(Config{}.eve_type_enabled(bit(EveType::Flow)));  // every type by default
    const LoadResult r = load(with(R"("output": {"types": ["alert", "stats"]})"));
    ASSERT_TRUE(r.ok()) << errors_of(r);
    EXPECT_TRUE(r.config.eve_type_enabled(bit(EveType::Alert)));
    EXPECT_TRUE(r.config.eve_type_enabled(bit(EveType::Stats)));
    EXPECT_FALSE(r.config.eve_type_enabled(bit(EveType::Flow)));
    EXPECT_FALSE(r.config.eve_type_enabled(bit(EveType::Imap)));
    const LoadResult none = load(with(R"("output": {"types": []})"));
    ASSERT_TRUE(none.ok()) << errors_of(none);
    EXPECT_EQ(none.config.eve_types, 0u);
}

TEST(Config, OutOfRangeValuesAreNamed) {
    expect_error(with(R"("rx": {"burst": 0})"), "rx.burst", "between 1 and 512");
    expect_error(with(R"("rx": {"burst": 513})"), "rx.burst", "between 1 and 512");
    expect_error(with(R"("rx": {"ring_size": 32})"), "rx.ring_size", "between");
    expect_error(with(R"("rx": {"ring_size": 2097152})"), "rx.ring_size", "between");
    expect_error(with(R"("rx": {"idle_sleep_us": 100001})"), "rx.idle_sleep_us", "between");
    expect_error(with(R"("lcores": {"control": 1024})"), "lcores.control", "between 0 and 1023");
    expect_error(with(R"("lcores": {"rx": [1024]})"), "lcores.rx", "below 1024");
    expect_error(with(R"("mempool": {"mbufs": 100})"), "mempool.mbufs", "between");
    expect_error(with(R"("mempool": {"cache": 513})"), "mempool.cache", "between");
    expect_error(with(R"("mempool": {"data_room": 65536})"), "mempool.data_room", "between");
    expect_error(with(R"("flow": {"max_flows_per_worker": 15})"), "flow.max_flows_per_worker", "between");
    expect_error(with(R"("flow": {"max_held_segments_per_flow": 0})"), "flow.max_held_segments_per_flow", "between");
    expect_error(with(R"("flow": {"timeouts": {"tcp_new": 0}})"), "flow.timeouts.tcp_new", "between");
    expect_error(with(R"("flow": {"timeouts": {"udp": 86401}})"), "flow.timeouts.udp", "between");
    expect_error(with(R"("output": {"event_queue_bytes": 1024})"), "output.event_queue_bytes", "between");
    expect_error(with(R"("output": {"stats_interval": 18446744073709551615})"), "output.stats_interval", "between");
    expect_error(R"({"ports": [{"device": "net_null0", "rx_queues": 0}]})", "ports[0].rx_queues", "between 1 and 64");
    expect_error(R"({"ports": [{"device": "net_null0", "rx_descriptors": 32}]})", "ports[0].rx_descriptors",
                 "between");
    // Edges are accepted.
    EXPECT_TRUE(load(with(R"("rx": {"burst": 512, "ring_size": 64})")).ok());
    EXPECT_TRUE(load(with(R"("rx": {"burst": 1, "ring_size": 1048576}, "mempool": {"mbufs": 67108864})")).ok());
}

TEST(Config, RingSizeMustBeAPowerOfTwo) {
    expect_error(with(R"("rx": {"ring_size": 1000})"), "rx.ring_size", "power of two");
    expect_error(with(R"("rx": {"ring_size": 65})"), "rx.ring_size", "power of two");
    for (int shift = 6; shift <= 14; ++shift) {
        const LoadResult r = load(with(R"("rx": {"ring_size": )" + std::to_string(1 << shift) + "}"));
        EXPECT_TRUE(r.ok()) << shift << "\n" << errors_of(r);
    }
}

TEST(Config, DuplicateLcoreRoles) {
    expect_error(with(R"("lcores": {"control": 1, "rx": [1], "workers": [2]})"), "lcores.rx", "lcore 1 has two roles");
    expect_error(with(R"("lcores": {"control": 0, "rx": [1], "workers": [2, 1]})"), "lcores.workers",
                 "lcore 1 has two roles");
    expect_error(with(R"("lcores": {"control": 0, "rx": [1], "workers": [2, 2]})"), "lcores.workers",
                 "lcore 2 has two roles");
    expect_error(with(R"("lcores": {"control": 3, "rx": [1], "workers": [3]})"), "lcores.workers",
                 "lcore 3 has two roles");
}

// Inline mode: ports in pairs that name each other, with the same queue counts.
TEST(Config, InlinePortsComeInPairs) {
    auto inline_cfg = [](const std::string &ports, const std::string &extra = "") {
        return R"({"mode": "inline", "ports": )" + ports + extra + "}";
    };
    const LoadResult ok = load(inline_cfg(R"([{"name": "lan", "device": "net_null0", "peer": "wan"},
                                                {"name": "wan", "device": "net_null1", "peer": "lan"}])",
                                          R"(, "inline": {"on_overload": "drop", "on_exception": "drop-flow",
                                                "forward_uninspected": false, "tx_retries": 2},
                                              "bypass": {"tls": false, "inspection_depth": 65536},
                                              "detect": {"stream_evasion": {"action": "drop"},
                                                         "dead_drop": {"min_sessions": 4, "action": "reject"}})"));
    ASSERT_TRUE(ok.ok()) << errors_of(ok);
    const Config &c = ok.config;
    EXPECT_EQ(c.inline_mode.on_overload, OverloadPolicy::Drop);
    EXPECT_EQ(c.inline_mode.on_exception, ExceptionPolicy::DropFlow);
    EXPECT_FALSE(c.inline_mode.forward_uninspected);
    EXPECT_EQ(c.inline_mode.tx_retries, 2u);
    EXPECT_FALSE(c.bypass.tls);
    EXPECT_EQ(c.bypass.inspection_depth, 65536u);
    using postern::detect::AlertAction;
    using postern::detect::DetectorId;
    EXPECT_EQ(c.detect.actions[static_cast<size_t>(DetectorId::StreamEvasion)], AlertAction::Drop);
    EXPECT_EQ(c.detect.actions[static_cast<size_t>(DetectorId::DeadDrop)], AlertAction::Reject);
    EXPECT_EQ(c.detect.dead_drop.min_sessions, 4u);
    EXPECT_EQ(c.detect.actions[static_cast<size_t>(DetectorId::Beaconing)], AlertAction::Alert);
    expect_error(inline_cfg(R"([{"name": "lan", "device": "net_null0", "peer": "wan"}])"), "ports[0].peer",
                 "no port named \"wan\"");
    expect_error(inline_cfg(R"([{"name": "lan", "device": "net_null0", "peer": "lan"}])"), "ports[0].peer",
                 "cannot be its own peer");
    expect_error(inline_cfg(R"([{"name": "a", "device": "net_null0", "peer": "b"},
                                 {"name": "b", "device": "net_null1", "peer": "c"},
                                 {"name": "c", "device": "net_null2", "peer": "b"}])"),
                 "ports[0].peer", "\"b\" names \"c\" as its peer, not \"a\"");
    expect_error(inline_cfg(R"([{"name": "a", "device": "net_null0", "peer": "b", "rx_queues": 2},
                                 {"name": "b", "device": "net_null1", "peer": "a"}])", R"(, "lcores": {"rx": [1]})"),
                 "ports[0].peer", "pairs need the same");
    expect_error(with(R"("ports": [{"device": "net_null0", "peer": "x"}])"), "ports[0].peer", "only in inline mode");
    expect_error(with(R"("inline": {"on_overload": "queue"})"), "inline.on_overload", "\"forward\" or \"drop\"");
    expect_error(with(R"("detect": {"beaconing": {"action": "block"}})"), "detect.beaconing.action",
                 "\"alert\", \"drop\" or \"reject\"");
    expect_error(with(R"("detect": {"nonesuch": {"action": "drop"}})"), "detect.nonesuch", "unknown key");
}

TEST(Config, CrossFieldChecks) {
    expect_error(R"({})", "ports", "at least one port");
    expect_error(R"({"ports": []})", "ports", "at least one port");
    expect_error(R"({"ports": [{"name": "x"}]})", "ports[0].device", "is required");
    expect_error(with(R"("mode": "inline")"), "ports[0].peer", "needs every port's peer");
    expect_error(with(R"("mode": "bridge")"), "mode", "\"tap\" or \"inline\"");
    expect_error(with(R"("lcores": {"rx": [1, 2], "workers": [3]})"), "lcores.rx", "more RX lcores (2) than port queues (1)");
    expect_error(with(R"("flow": {"max_held_segments_per_flow": 100, "max_held_segments_per_worker": 99})"),
                 "flow.max_held_segments_per_flow", "must not exceed");
    std::string many = "[";
    for (int i = 2; i < 2 + 65; ++i) many += (i > 2 ? "," : "") + std::to_string(i);
    many += "]";
    expect_error(with(R"("lcores": {"rx": [1], "workers": )" + many + "}, \"mempool\": {\"mbufs\": 67108864}"),
                 "lcores.workers", "at most 64 workers");
}

TEST(Config, TooFewMbufs) {
    // Defaults park 1024 descriptors + 4096 ring + (8192 + 32) held/burst + 2 * 2 * 256 cache + 32
    // + 16384 IP fragments awaiting reassembly.
    expect_error(with(R"("mempool": {"mbufs": 30783})"), "mempool.mbufs", "30783 is too few");
    const LoadResult ok = load(with(R"("mempool": {"mbufs": 30784})"));
    EXPECT_TRUE(ok.ok()) << errors_of(ok);
    // More workers and rings need more.
    expect_error(with(R"("lcores": {"rx": [1], "workers": [2, 3, 4, 5]}, "mempool": {"mbufs": 50000})"),
                 "mempool.mbufs", "50000 is too few");
    // Inline mode adds the frames two ports' TX rings can hold.
    const std::string pair = R"({"mode": "inline", "ports": [{"name": "a", "device": "net_null0", "peer": "b"},
                                {"name": "b", "device": "net_null1", "peer": "a"}], "mempool": {"mbufs": )";
    expect_error(pair + "30784}}", "mempool.mbufs", "30784 is too few");
    EXPECT_TRUE(load(pair + "60000}}").ok());
}

TEST(Config, EveryErrorIsReportedAtOnce) {
    const LoadResult r = parse_config(
        with(R"("rx": {"burst": 0, "ring_size": "big"}, "mempool": {"cache": -1}, "junk": true)"), ".");
    EXPECT_GE(r.errors.size(), 4u) << errors_of(r);
    for (const auto &e : r.errors) {
        const auto colon = e.find(": ");
        ASSERT_NE(colon, std::string::npos) << e;
        EXPECT_GT(colon, 0u) << e;  // always a field name before the reason
    }
}

TEST(Config, RelativeCapturePathsResolveAgainstTheConfigDir) {
    const char *text = R"({"ports": [
        {"device": "net_pcap0,rx_pcap=caps/a.pcap,tx_pcap=out/b.pcap"},
        {"device": "net_pcap1,rx_pcap=/abs/c.pcap"},
        {"device": "net_pcap2,iface=eth0"}
    ], "lcores": {"rx": [1], "workers": [2]}})";
    LoadResult r = load(text, "/srv/postern/conf");
    ASSERT_TRUE(r.ok()) << errors_of(r);
    EXPECT_EQ(r.config.ports[0].device, "net_pcap0,rx_pcap=/srv/postern/conf/caps/a.pcap,tx_pcap=/srv/postern/conf/out/b.pcap");
    EXPECT_EQ(r.config.ports[0].name, "net_pcap0");
    EXPECT_EQ(r.config.ports[0].capture_file(), "/srv/postern/conf/caps/a.pcap");
    EXPECT_EQ(r.config.ports[1].device, "net_pcap1,rx_pcap=/abs/c.pcap");
    EXPECT_EQ(r.config.ports[2].device, "net_pcap2,iface=eth0");
    // Relative to the working directory: unchanged.
    r = parse_config(text, ".");
    EXPECT_EQ(r.config.ports[0].device, "net_pcap0,rx_pcap=caps/a.pcap,tx_pcap=out/b.pcap");
    r = parse_config(text, "conf");
    EXPECT_EQ(r.config.ports[0].capture_file(), "conf/caps/a.pcap");
}

class ConfigFile : public testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("postern-config-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_ / "sub");
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string write(const std::string &name, const std::string &text) {
        const auto p = dir_ / name;
        std::ofstream(p) << text;
        return p.string();
    }
    std::filesystem::path dir_;
};

TEST_F(ConfigFile, LoadsAndResolvesAgainstItsFolder) {
    const std::string path =
        write("sub/postern.json", R"({"ports": [{"name": "cap", "device": "net_pcap0,rx_pcap=../mail.pcap"}]})");
    const LoadResult r = load_config_file(path);
    ASSERT_TRUE(r.ok()) << errors_of(r);
    EXPECT_EQ(r.config.config_dir, (dir_ / "sub").string());
    EXPECT_EQ(r.config.ports[0].capture_file(), (dir_ / "sub").string() + "/../mail.pcap");
}

TEST_F(ConfigFile, MissingFile) {
    const LoadResult r = load_config_file((dir_ / "nope.json").string());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "config: cannot read " + (dir_ / "nope.json").string());
}

TEST_F(ConfigFile, ErrorsFromAFile) {
    LoadResult r = load_config_file(write("bad.json", R"({"ports": [{"device": "net_null0"}], "rx": {"ring_size": 100}})"));
    ASSERT_TRUE(r.ok());  // each field is fine on its own
    validate(r.config, r.errors);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "rx.ring_size: must be a power of two");
    r = load_config_file(write("bad2.json", R"({"ports": [{"device": "net_null0"}], "rx": {"ring_size": 10}})"));
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "rx.ring_size: must be between 64 and 1048576");
}

// ---------------------------------------------------------------- ports

Port port(const std::string &device) {
    Port p;
    p.device = device;
    return p;
}

TEST(Config, CaptureFile) {
    EXPECT_EQ(port("net_pcap0,rx_pcap=/x/y.pcap").capture_file(), "/x/y.pcap");
    EXPECT_EQ(port("net_pcap0,rx_pcap=a.pcap,tx_pcap=b.pcap").capture_file(), "a.pcap");
    EXPECT_EQ(port("net_pcap0,tx_pcap=b.pcap,rx_pcap=a.pcap").capture_file(), "a.pcap");
    EXPECT_EQ(port("net_pcap0,rx_pcap=a.pcap,infinite_rx=0").capture_file(), "a.pcap");
    EXPECT_EQ(port("net_pcap0,rx_pcap=a.pcap,infinite_rx=1").capture_file(), "");  // never ends
    EXPECT_EQ(port("net_pcap0,iface=eth0").capture_file(), "");
    EXPECT_EQ(port("net_pcap0").capture_file(), "");
    EXPECT_EQ(port("net_af_packet0,iface=eth0").capture_file(), "");
    EXPECT_EQ(port("net_null0").capture_file(), "");
    EXPECT_EQ(port("0000:03:00.0").capture_file(), "");
}

TEST(Config, IsPci) {
    EXPECT_TRUE(port("0000:03:00.0").is_pci());
    EXPECT_TRUE(port("03:00.0").is_pci());
    EXPECT_TRUE(port("0000:af:00.1,rxq_pkt_split=0").is_pci());
    EXPECT_FALSE(port("net_pcap0,rx_pcap=/data/a:b.pcap").is_pci());
    EXPECT_FALSE(port("net_af_packet0,iface=eth0").is_pci());
    EXPECT_FALSE(port("net_null0").is_pci());
    EXPECT_FALSE(port("net_tap0,iface=tap.1").is_pci());
    EXPECT_FALSE(port("").is_pci());
}

TEST(Config, ValidateACodeBuiltConfig) {
    Config c;
    std::vector<std::string> errors;
    validate(c, errors);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], "ports: at least one port is required");
    c.ports.push_back(port("net_pcap0,rx_pcap=x.pcap"));
    errors.clear();
    validate(c, errors);
    EXPECT_TRUE(errors.empty());
    c.ring_size = 3000;
    c.lcores.workers = {1};
    errors.clear();
    validate(c, errors);
    EXPECT_EQ(errors.size(), 2u);
}

}  // namespace

namespace {

TEST(ConfigApi, SectionParsedAndCheckedByField) {
    auto ok = parse_config(R"({"api": {"listen": "[::1]:9100", "token_env": "TOK", "max_body_bytes": 4096,
                               "max_connections": 4, "request_timeout_ms": 250}})", "/etc/postern");
    ASSERT_TRUE(ok.ok()) << ok.errors[0];
    EXPECT_EQ(ok.config.api.listen, "[::1]:9100");
    EXPECT_EQ(ok.config.api.token_env, "TOK");
    EXPECT_EQ(ok.config.api.max_body_bytes, 4096u);
    EXPECT_EQ(ok.config.api.max_connections, 4u);
    EXPECT_EQ(ok.config.api.request_timeout_ms, 250u);
    EXPECT_EQ(parse_config(R"({"api": {"token_file": "tok"}})", "/etc/postern").config.api.token_file, "/etc/postern/tok");
    EXPECT_TRUE(parse_config(R"({"api": {"listen": "off"}})", ".").ok());
    EXPECT_EQ(Config{}.api.listen, "127.0.0.1:8080");

    auto bad = parse_config(R"({"api": {"listen": "somewhere", "max_body_bytes": 1, "tokn": 1,
                                "token_file": "a", "token_env": "B"}})", ".");
    ASSERT_EQ(bad.errors.size(), 4u);
    EXPECT_EQ(bad.errors[0].rfind("api.listen: must be ADDR:PORT", 0), 0u) << bad.errors[0];
    EXPECT_EQ(bad.errors[1], "api.token_env: give token_file or token_env, not both");
    EXPECT_EQ(bad.errors[2].rfind("api.max_body_bytes: must be between", 0), 0u) << bad.errors[2];
    EXPECT_EQ(bad.errors[3], "api.tokn: unknown key");
}

}  // namespace
