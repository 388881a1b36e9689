#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "synth/cli_options.hpp"

namespace postern::synth {
namespace {

std::string parse(std::vector<std::string> args, CliOptions &o) { return parse_cli(args, o); }

TEST(SynthCli, ParsesEveryOption) {
    CliOptions o;
    const std::string err = parse({"--out", "x.pcap", "--expected=x.json", "--seed", "99", "--flows", "10000",
                                   "--ports", "25,587,110,143", "--payload", "text", "--bytes-per-flow", "1K:2M",
                                   "--mss", "1200", "--split", "--ack", "2", "--reorder", "0.01", "--dup", "0.02",
                                   "--drop", "0.5", "--wrap", "--midstream", "0.1", "--ipv6", "1", "--vlan", "qinq",
                                   "--duration", "2.5", "--start-time", "1600000000", "--target-bytes", "4G",
                                   "--rst", "0.2", "--client-net", "203.0.113.0/24", "--server-net6",
                                   "2001:db8:ff::/48"},
                                  o);
    ASSERT_EQ(err, "");
    const TrafficConfig &t = o.traffic;
    EXPECT_EQ(o.out, "x.pcap");
    EXPECT_EQ(o.expected, "x.json");
    EXPECT_EQ(t.seed, 99u);
    EXPECT_EQ(t.flows, 10000u);
    EXPECT_EQ(t.ports, (std::vector<uint16_t>{25, 587, 110, 143}));
    EXPECT_EQ(t.payloads, (std::vector<std::string>{"text"}));
    EXPECT_EQ(t.bytes_min, 1024u);
    EXPECT_EQ(t.bytes_max, 2u << 20);
    EXPECT_EQ(t.session.mss, 1200u);
    EXPECT_TRUE(t.session.split);
    EXPECT_EQ(t.session.ack_every, 2u);
    EXPECT_DOUBLE_EQ(t.session.impair.reorder, 0.01);
    EXPECT_DOUBLE_EQ(t.session.impair.duplicate, 0.02);
    EXPECT_DOUBLE_EQ(t.session.impair.drop, 0.5);
    EXPECT_TRUE(t.session.wrap);
    EXPECT_DOUBLE_EQ(t.midstream, 0.1);
    EXPECT_DOUBLE_EQ(t.ipv6, 1.0);
    EXPECT_EQ(t.vlan, VlanMode::QinQ);
    EXPECT_EQ(t.duration_us, 2'500'000u);
    EXPECT_EQ(t.start_us, 1'600'000'000'000'000u);
    EXPECT_EQ(t.target_bytes, 4ULL << 30);
    EXPECT_DOUBLE_EQ(t.rst, 0.2);
    EXPECT_EQ(format_subnet(t.client_v4), "203.0.113.0/24");
    EXPECT_EQ(format_subnet(t.server_v6), "2001:db8:ff::/48");
}

TEST(SynthCli, ErrorsNameTheOption) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--out", "x", "--mss", "abc"}, "--mss:"},
        {{"--out", "x", "--mss", "0"}, "--mss:"},
        {{"--out", "x", "--seed"}, "--seed: missing value"},
        {{"--out", "x", "--bogus"}, "--bogus: unknown option"},
        {{"--out", "x", "--vlan", "2q"}, "--vlan:"},
        {{"--out", "x", "--reorder", "1.5"}, "--reorder:"},
        {{"--out", "x", "--ports", "25,,110"}, "--ports:"},
        {{"--out", "x", "--ports", "70000"}, "--ports:"},
        {{"--out", "x", "--bytes-per-flow", "9:1"}, "--bytes-per-flow:"},
        {{"--out", "x", "--bytes-per-flow", "9"}, "--bytes-per-flow:"},
        {{"--out", "x", "--payload", "smtpx"}, "--payload:"},
        {{"--out", "x", "--duration", "0"}, "--duration:"},
        {{"--out", "x", "--duration", "1.2345678"}, "--duration:"},
        {{"--out", "x", "--client-net", "2001:db8::/64"}, "--client-net:"},
        {{"--out", "x", "--split=yes"}, "--split: takes no value"},
        {{"--flows", "3"}, "--out: required"},
    };
    for (const auto &[args, prefix] : cases) {
        CliOptions o;
        const std::string err = parse_cli(args, o);
        EXPECT_EQ(err.rfind(prefix, 0), 0u) << "args[last]=" << args.back() << " gave: " << err;
    }
}

TEST(SynthCli, HelpNeedsNoOut) {
    CliOptions o;
    EXPECT_EQ(parse({"--help"}, o), "");
    EXPECT_TRUE(o.help);
    EXPECT_NE(cli_usage().find("--target-bytes"), std::string::npos);
}

}  // namespace
}  // namespace postern::synth
