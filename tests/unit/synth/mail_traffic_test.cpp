#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mail_test_util.hpp"
#include "synth/cli_options.hpp"
#include "synth/expected_writer.hpp"
#include "synth/mail/imap_conversation.hpp"
#include "synth/mail/pop3_conversation.hpp"
#include "synth/mail/smtp_conversation.hpp"
#include "synth/pcap_writer.hpp"
#include "synth/traffic.hpp"
#include "synth_test_util.hpp"

namespace postern::synth {
namespace {

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TrafficConfig mail_config() {
    TrafficConfig cfg;
    cfg.seed = 77;
    cfg.flows = 120;
    cfg.ports = {0};  // auto
    cfg.payloads = {"smtp", "pop3", "imap", "random"};
    cfg.bytes_min = 500;
    cfg.bytes_max = 60000;
    cfg.ipv6 = 0.2;
    return cfg;
}

nlohmann::json generate(const TrafficConfig &cfg, const std::string &name) {
    PcapWriter pcap(testing::temp_path(name + ".pcap"));
    ExpectedWriter exp(testing::temp_path(name + ".json"), nlohmann::ordered_json{{"seed", cfg.seed}});
    const TrafficStats st = generate_traffic(cfg, pcap, &exp);
    pcap.close();
    exp.finish({{"flows", st.flows}});
    return nlohmann::json::parse(slurp(testing::temp_path(name + ".json")));
}

TEST(SynthMailTraffic, AutoPortsAreEachGeneratorsOwnAndTruthIsPerFlow) {
    const auto j = generate(mail_config(), "mail_auto");
    std::map<std::string, std::set<int>> ports;
    for (const auto &f : j["flows"]) {
        const std::string payload = f["payload"];
        ports[payload].insert(f["server_port"].get<int>());
        if (payload == "random") {
            EXPECT_FALSE(f.contains("mail"));
        } else {
            ASSERT_TRUE(f.contains("mail"));
            EXPECT_EQ(f["mail"]["protocol"], payload);
            EXPECT_TRUE(f["mail"]["commands"].is_array());
            EXPECT_TRUE(f.contains("app_fnv1a64_toserver"));  // the existing fields are all still there
        }
    }
    EXPECT_EQ(ports["smtp"], (std::set<int>{25, 587}));
    EXPECT_EQ(ports["pop3"], (std::set<int>{110}));
    EXPECT_EQ(ports["imap"], (std::set<int>{143}));
    for (int p : ports["random"]) {
        EXPECT_TRUE(p == 25 || p == 110 || p == 143) << p;
    }
}

TEST(SynthMailTraffic, SameSeedSameCaptureAndTruth) {
    TrafficConfig cfg = mail_config();
    cfg.session.impair = {0.05, 0.05, 0.0};
    generate(cfg, "mail_det_a");
    generate(cfg, "mail_det_b");
    const std::string a = slurp(testing::temp_path("mail_det_a.pcap"));
    EXPECT_GT(a.size(), 200000u);
    EXPECT_EQ(a, slurp(testing::temp_path("mail_det_b.pcap")));
    EXPECT_EQ(slurp(testing::temp_path("mail_det_a.json")), slurp(testing::temp_path("mail_det_b.json")));
}

// The capture carries exactly the conversation: the server's first segment is the greeting.
TEST(SynthMailTraffic, ServerSpeaksFirstOnTheWire) {
    TrafficConfig cfg = mail_config();
    cfg.payloads = {"smtp", "pop3", "imap"};
    generate(cfg, "mail_wire");
    const auto frames = testing::read_frames(testing::temp_path("mail_wire.pcap"));
    std::map<std::pair<std::string, uint16_t>, std::string> first;  // client endpoint -> first payload
    for (const auto &f : frames) {
        if (f.payload.empty()) continue;
        const bool to_server = f.dport == 25 || f.dport == 587 || f.dport == 110 || f.dport == 143;
        const auto key = to_server ? std::make_pair(f.src, f.sport) : std::make_pair(f.dst, f.dport);
        if (first.count(key)) continue;
        EXPECT_FALSE(to_server);
        first[key] = std::string(f.payload.begin(), f.payload.end());
    }
    EXPECT_GT(first.size(), 100u);
    for (const auto &[k, p] : first)
        EXPECT_TRUE(p.rfind("220 ", 0) == 0 || p.rfind("+OK", 0) == 0 || p.rfind("* OK", 0) == 0) << p.substr(0, 40);
}

TEST(SynthMailTraffic, CliAcceptsAutoPorts) {
    CliOptions o;
    EXPECT_EQ(parse_cli({"--out", "x", "--ports", "auto", "--payload", "smtp,pop3,imap"}, o), "");
    EXPECT_EQ(o.traffic.ports, (std::vector<uint16_t>{0}));
    EXPECT_EQ(o.traffic.payloads, (std::vector<std::string>{"smtp", "pop3", "imap"}));
    EXPECT_EQ(parse_cli({"--out", "x", "--ports", "2525,auto"}, o), "");
    EXPECT_EQ(o.traffic.ports, (std::vector<uint16_t>{2525, 0}));
    EXPECT_EQ(parse_cli({"--out", "x", "--ports", "0"}, o).rfind("--ports:", 0), 0u);
}

// Sessions land near the --bytes-per-flow draw: protocol chatter is a floor, messages fill the rest.
TEST(SynthMailTraffic, SessionsFollowTheByteBudget) {
    mail::SmtpConversation smtp;
    mail::Pop3Conversation pop3;
    mail::ImapConversation imap;
    for (PayloadGenerator *g : std::vector<PayloadGenerator *>{&smtp, &pop3, &imap}) {
        for (uint64_t target : {5000u, 50000u, 500000u}) {
            double sum = 0;
            const auto samples = testing::sample(*g, 60, {25, 587, 110, 143}, target, target, target);
            for (const auto &s : samples) {
                uint64_t n = 0;
                for (const auto &e : s.conv.exchanges) n += e.data.size();
                sum += static_cast<double>(n) / static_cast<double>(target);
            }
            const double mean = sum / static_cast<double>(samples.size());
            EXPECT_GT(mean, 0.7) << target;
            EXPECT_LT(mean, 1.4) << target;
        }
    }
}

}  // namespace
}  // namespace postern::synth
