#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "synth/checksum.hpp"
#include "synth/expected_writer.hpp"
#include "synth/pcap_writer.hpp"
#include "synth/traffic.hpp"
#include "synth_test_util.hpp"

namespace postern::synth {
namespace {

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TrafficConfig impaired_config() {
    TrafficConfig cfg;
    cfg.seed = 1234;
    cfg.flows = 300;
    cfg.duration_us = 2'000'000;  // short window: many sessions overlap
    cfg.bytes_min = 0;
    cfg.bytes_max = 30000;
    cfg.payloads = {"random", "text"};
    cfg.session.impair = {0.1, 0.1, 0.05};
    cfg.session.split = true;
    cfg.midstream = 0.1;
    cfg.ipv6 = 0.3;
    cfg.rst = 0.1;
    cfg.vlan = VlanMode::Dot1Q;
    return cfg;
}

TrafficStats generate(const TrafficConfig &cfg, const std::string &name, bool with_expected = true) {
    PcapWriter pcap(testing::temp_path(name + ".pcap"));
    std::unique_ptr<ExpectedWriter> exp;
    if (with_expected)
        exp = std::make_unique<ExpectedWriter>(testing::temp_path(name + ".json"),
                                               nlohmann::ordered_json{{"seed", cfg.seed}});
    const TrafficStats st = generate_traffic(cfg, pcap, exp.get());
    pcap.close();
    if (exp) exp->finish({{"flows", st.flows}, {"packets", st.packets}, {"file_bytes", st.file_bytes}});
    return st;
}

TEST(SynthTraffic, SameSeedSameBytes) {
    const TrafficConfig cfg = impaired_config();
    generate(cfg, "det_a");
    generate(cfg, "det_b");
    const std::string a = slurp(testing::temp_path("det_a.pcap"));
    EXPECT_GT(a.size(), 100000u);
    EXPECT_EQ(a, slurp(testing::temp_path("det_b.pcap")));
    EXPECT_EQ(slurp(testing::temp_path("det_a.json")), slurp(testing::temp_path("det_b.json")));
    TrafficConfig other = cfg;
    other.seed = 1235;
    generate(other, "det_c");
    EXPECT_NE(a, slurp(testing::temp_path("det_c.pcap")));
}

TEST(SynthTraffic, ImpairmentsDoNotChangePayloadsOrAddresses) {
    TrafficConfig clean = impaired_config();
    clean.session.impair = {};
    generate(clean, "clean");
    generate(impaired_config(), "impaired");
    const auto a = nlohmann::json::parse(slurp(testing::temp_path("clean.json")));
    const auto b = nlohmann::json::parse(slurp(testing::temp_path("impaired.json")));
    ASSERT_EQ(a["flows"].size(), b["flows"].size());
    for (size_t i = 0; i < a["flows"].size(); ++i) {
        for (const char *k : {"client_ip", "client_port", "server_ip", "server_port", "app_fnv1a64_toserver",
                              "app_fnv1a64_toclient"})
            EXPECT_EQ(a["flows"][i][k], b["flows"][i][k]) << k << " of flow " << i;
    }
}

struct Recount {
    uint64_t pkts[2] = {0, 0};
    uint64_t bytes[2] = {0, 0};
    uint64_t first = UINT64_MAX, last = 0;
    std::map<uint32_t, std::vector<uint8_t>> data[2];  // stream offset -> payload
};

std::string raw_ip(const std::string &text) {
    uint8_t buf[16];
    if (inet_pton(AF_INET, text.c_str(), buf) == 1) return std::string(reinterpret_cast<char *>(buf), 4);
    EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), buf), 1) << text;
    return std::string(reinterpret_cast<char *>(buf), 16);
}

TEST(SynthTraffic, ExpectedFileMatchesARecountOfThePcap) {
    const TrafficConfig cfg = impaired_config();
    const TrafficStats st = generate(cfg, "recount");
    const auto frames = testing::read_frames(testing::temp_path("recount.pcap"));
    const auto exp = nlohmann::json::parse(slurp(testing::temp_path("recount.json")));
    const auto &flows = exp["flows"];
    ASSERT_EQ(flows.size(), cfg.flows);
    EXPECT_EQ(st.flows, cfg.flows);
    EXPECT_EQ(exp["totals"]["packets"], frames.size());
    EXPECT_EQ(exp["seed"], cfg.seed);

    // (src, sport, dst, dport) -> (flow index, direction). Unique tuples are part of the contract.
    std::map<std::tuple<std::string, uint16_t, std::string, uint16_t>, std::pair<size_t, int>> by_tuple;
    for (size_t i = 0; i < flows.size(); ++i) {
        const auto &f = flows[i];
        const std::string c = raw_ip(f["client_ip"]), s = raw_ip(f["server_ip"]);
        const uint16_t cp = f["client_port"], sp = f["server_port"];
        EXPECT_TRUE(by_tuple.insert({{c, cp, s, sp}, {i, 0}}).second) << "duplicate tuple, flow " << i;
        by_tuple.insert({{s, sp, c, cp}, {i, 1}});
    }
    std::vector<Recount> rc(flows.size());
    uint64_t prev_ts = 0;
    size_t v6 = 0, vlan = 0;
    for (const auto &fr : frames) {
        ASSERT_NE(fr.ip_version, 0);
        EXPECT_TRUE(fr.tcp_csum_ok);
        EXPECT_GE(fr.ts_us, prev_ts);
        prev_ts = fr.ts_us;
        v6 += fr.ip_version == 6;
        vlan += fr.vlans.size() == 1;
        const auto it = by_tuple.find({fr.src, fr.sport, fr.dst, fr.dport});
        ASSERT_NE(it, by_tuple.end());
        const auto [idx, dir] = it->second;
        Recount &r = rc[idx];
        ++r.pkts[dir];
        r.bytes[dir] += fr.len;
        r.first = std::min(r.first, fr.ts_us);
        r.last = std::max(r.last, fr.ts_us);
        if (!fr.payload.empty()) {
            const uint32_t isn = flows[idx][dir == 0 ? "isn_client" : "isn_server"];
            r.data[dir][fr.seq - isn - 1] = fr.payload;
        }
    }
    EXPECT_GT(v6, 0u);
    EXPECT_EQ(vlan, frames.size());
    size_t with_holes = 0, wrapped_checked = 0;
    for (size_t i = 0; i < flows.size(); ++i) {
        const auto &f = flows[i];
        const Recount &r = rc[i];
        EXPECT_EQ(f["pkts_toserver"], r.pkts[0]) << "flow " << i;
        EXPECT_EQ(f["pkts_toclient"], r.pkts[1]) << "flow " << i;
        EXPECT_EQ(f["bytes_toserver"], r.bytes[0]) << "flow " << i;
        EXPECT_EQ(f["bytes_toclient"], r.bytes[1]) << "flow " << i;
        EXPECT_EQ(f["first_ts_us"], r.first) << "flow " << i;
        EXPECT_EQ(f["last_ts_us"], r.last) << "flow " << i;
        // Reassemble each direction by offset; where nothing is missing the hash must match.
        for (int d = 0; d < 2; ++d) {
            const uint64_t len = f[d == 0 ? "app_bytes_toserver" : "app_bytes_toclient"];
            std::vector<uint8_t> stream(len);
            std::vector<bool> have(len);
            for (const auto &[off, bytes] : r.data[d]) {
                ASSERT_LE(off + bytes.size(), len);
                for (size_t k = 0; k < bytes.size(); ++k) {
                    stream[off + k] = bytes[k];
                    have[off + k] = true;
                }
            }
            const uint64_t missing = static_cast<uint64_t>(std::count(have.begin(), have.end(), false));
            EXPECT_EQ(f[d == 0 ? "gap_bytes_toserver" : "gap_bytes_toclient"], missing) << "flow " << i;
            if (missing) {
                ++with_holes;
                continue;
            }
            char hex[17];
            std::snprintf(hex, sizeof hex, "%016llx",
                          static_cast<unsigned long long>(fnv1a64(stream.data(), stream.size())));
            EXPECT_EQ(f[d == 0 ? "app_fnv1a64_toserver" : "app_fnv1a64_toclient"], hex) << "flow " << i;
            ++wrapped_checked;
        }
        EXPECT_EQ(f["holes"], f["gap_bytes_toserver"] != 0 || f["gap_bytes_toclient"] != 0);
    }
    EXPECT_GT(with_holes, 0u);
    EXPECT_GT(wrapped_checked, 0u);
}

TEST(SynthTraffic, SessionsInterleave) {
    TrafficConfig cfg = impaired_config();
    cfg.session.impair = {};
    generate(cfg, "interleave", false);
    const auto frames = testing::read_frames(testing::temp_path("interleave.pcap"));
    // Count how often consecutive frames belong to different flows while both are mid-session.
    std::set<std::tuple<std::string, uint16_t>> open;
    size_t max_open = 0;
    for (const auto &f : frames) {
        const auto key = std::make_tuple(f.sport < f.dport ? f.dst : f.src, std::max(f.sport, f.dport));
        if (f.flags & (kSyn)) open.insert(key);
        if (f.flags & (kFin | kRst)) open.erase(key);
        max_open = std::max(max_open, open.size());
    }
    EXPECT_GT(max_open, 10u);
}

TEST(SynthTraffic, TargetBytesKeepsGeneratingUntilReached) {
    TrafficConfig cfg;
    cfg.seed = 5;
    cfg.flows = 50;
    cfg.duration_us = 1'000'000;
    cfg.target_bytes = 3'000'000;
    const TrafficStats st = generate(cfg, "target", false);
    EXPECT_GE(st.file_bytes, cfg.target_bytes);
    EXPECT_LT(st.file_bytes, cfg.target_bytes + 2'000'000);
    EXPECT_GT(st.flows, cfg.flows);  // more than one window
    const auto frames = testing::read_frames(testing::temp_path("target.pcap"));
    EXPECT_EQ(frames.size(), st.packets);
    for (size_t i = 1; i < frames.size(); ++i) ASSERT_GE(frames[i].ts_us, frames[i - 1].ts_us);
}

TEST(SynthTraffic, WrapEveryFlowCrosses2To32) {
    TrafficConfig cfg;
    cfg.flows = 50;
    cfg.bytes_min = 1000;
    cfg.session.wrap = true;
    generate(cfg, "wrap");
    const auto exp = nlohmann::json::parse(slurp(testing::temp_path("wrap.json")));
    for (const auto &f : exp["flows"]) EXPECT_TRUE(f["seq_wraps"].get<bool>()) << f.dump();
}

TEST(SynthTraffic, RejectsBadConfig) {
    TrafficConfig cfg;
    cfg.payloads = {"nope"};
    EXPECT_NE(validate(cfg), "");
    PcapWriter pcap(testing::temp_path("bad.pcap"));
    EXPECT_THROW(generate_traffic(cfg, pcap, nullptr), std::invalid_argument);
    cfg = TrafficConfig{};
    cfg.ports.clear();
    EXPECT_EQ(validate(cfg).rfind("ports", 0), 0u);
}

}  // namespace
}  // namespace postern::synth
