// EAL argument construction from the config: memory sizing, lcore mapping onto the CPUs we may
// use, the user's own EAL arguments, and one device argument per port.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/eal_args.hpp"

namespace {

using postern::config::append_port_args;
using postern::config::build_eal_args;
using postern::config::Config;
using postern::config::memory_mb;
using postern::config::Port;
using Args = std::vector<std::string>;

Port port(const std::string &device) {
    Port p;
    p.device = device;
    return p;
}

Config vdev_config() {
    Config c;
    c.ports = {port("net_pcap0,rx_pcap=/data/mail.pcap")};
    return c;
}

bool has(const Args &a, const std::string &s) { return std::find(a.begin(), a.end(), s) != a.end(); }
size_t count(const Args &a, const std::string &s) { return static_cast<size_t>(std::count(a.begin(), a.end(), s)); }
// The argument after `opt`, or "" if absent.
std::string value_of(const Args &a, const std::string &opt) {
    const auto it = std::find(a.begin(), a.end(), opt);
    return it == a.end() || it + 1 == a.end() ? "" : *(it + 1);
}

// At least the mbufs' data rooms and headers, the rings and the fixed slack; at most twice that
// (the exact layout overhead is the dataplane's business).
void expect_memory_sane(const Config &c) {
    const uint64_t mib = 1 << 20;
    const uint64_t need = uint64_t{c.mbufs} * (uint64_t{c.mbuf_data_room} + 256) +
                          uint64_t{c.ring_size} * 8 * c.lcores.rx.size() * c.lcores.workers.size() + 256 * mib;
    const uint64_t low = (need + mib - 1) / mib;
    EXPECT_GE(memory_mb(c), low) << c.mbufs << " mbufs of " << c.mbuf_data_room;
    EXPECT_LE(memory_mb(c), 2 * low) << c.mbufs << " mbufs of " << c.mbuf_data_room;
}

TEST(EalArgs, MemoryFromTheConfig) {
    Config c;
    expect_memory_sane(c);
    c.mbufs = 131072;
    c.mbuf_data_room = 2048;
    c.ring_size = 1024;
    c.lcores.rx = {1, 2};
    c.lcores.workers = {3, 4, 5, 6};
    expect_memory_sane(c);
    // More mbufs, bigger mbufs or more rings never need less memory.
    unsigned last = 0;
    for (uint32_t m = 1024; m < (1u << 22); m *= 2) {
        c.mbufs = m;
        expect_memory_sane(c);
        EXPECT_GE(memory_mb(c), last);
        last = memory_mb(c);
    }
    last = 0;
    for (uint16_t room = 1024; room < 60000; room = static_cast<uint16_t>(room + 1111)) {
        c.mbuf_data_room = room;
        expect_memory_sane(c);
        EXPECT_GE(memory_mb(c), last);
        last = memory_mb(c);
    }
    c.lcores.workers = {3, 4, 5, 6, 7, 8, 9, 10};
    EXPECT_GE(memory_mb(c), last);
    // The largest config the validator allows still fits in an unsigned count of megabytes.
    c.mbufs = 1u << 26;
    c.mbuf_data_room = 65535;
    c.ring_size = 1u << 20;
    expect_memory_sane(c);
}

TEST(EalArgs, DefaultsForAVdevConfig) {
    const Config c = vdev_config();
    const Args a = build_eal_args(c, "postern", {0, 1});
    const Args want = {"postern",   "--no-huge",  "--no-pci", "--no-shconf",
                       "-m",        std::to_string(memory_mb(c)), "--lcores", "0@(0,1),1@(0,1),2@(0,1)",
                       "--main-lcore", "0",       "--log-level=*:warning", "--no-telemetry",
                       "--vdev",    "net_pcap0,rx_pcap=/data/mail.pcap"};
    EXPECT_EQ(a, want);
}

TEST(EalArgs, LcoresAreMappedOntoTheAllowedCpus) {
    Config c = vdev_config();
    c.lcores.control = 4;
    c.lcores.rx = {5, 6};
    c.lcores.workers = {7, 8, 9};
    Args a = build_eal_args(c, "p", {2});
    EXPECT_EQ(value_of(a, "--lcores"), "4@(2),5@(2),6@(2),7@(2),8@(2),9@(2)");
    EXPECT_EQ(value_of(a, "--main-lcore"), "4");
    a = build_eal_args(c, "p", {0, 3, 5, 7});
    EXPECT_EQ(value_of(a, "--lcores").substr(0, 12), "4@(0,3,5,7),");
}

TEST(EalArgs, PortDevices) {
    Config c;
    c.ports = {port("net_pcap0,rx_pcap=a.pcap"), port("0000:03:00.0"), port("net_af_packet0,iface=eth1")};
    Args a;
    append_port_args(c, a);
    EXPECT_EQ(a, (Args{"--vdev", "net_pcap0,rx_pcap=a.pcap", "-a", "0000:03:00.0", "--vdev",
                       "net_af_packet0,iface=eth1"}));
    Args b = build_eal_args(c, "p", {0});
    ASSERT_GE(b.size(), 6u);
    EXPECT_EQ(Args(b.end() - 6, b.end()), a);  // the devices come last
}

// A PCI NIC cannot be found on a disabled PCI bus.
TEST(EalArgs, DefaultsDoNotDisableThePciBusForAPciPort) {
    Config c = vdev_config();
    c.ports.push_back(port("0000:03:00.0"));
    const Args a = build_eal_args(c, "postern", {0, 1});
    EXPECT_FALSE(has(a, "--no-pci"));
    EXPECT_EQ(value_of(a, "-a"), "0000:03:00.0");
    // Vdev-only configs keep it (no PCI scan at start-up).
    EXPECT_TRUE(has(build_eal_args(vdev_config(), "postern", {0}), "--no-pci"));
}

TEST(EalArgs, UserArgumentsReplaceTheDefaults) {
    Config c = vdev_config();
    c.eal_args = {"-m", "2048", "--file-prefix", "postern1"};
    const Args a = build_eal_args(c, "postern", {0, 1});
    EXPECT_EQ(a[0], "postern");
    EXPECT_EQ(Args(a.begin() + 1, a.begin() + 5), c.eal_args);
    EXPECT_FALSE(has(a, "--no-huge"));
    EXPECT_FALSE(has(a, "--no-pci"));
    EXPECT_EQ(count(a, "-m"), 1u);
    EXPECT_TRUE(has(a, "--lcores"));  // still added: the user gave none
    EXPECT_TRUE(has(a, "--log-level=*:warning"));
    EXPECT_FALSE(has(a, "--no-telemetry"));  // the user's arguments decide that
    EXPECT_EQ(a.back(), "net_pcap0,rx_pcap=/data/mail.pcap");
}

TEST(EalArgs, UserLcoreOptionsAreRespected) {
    for (const Args &user : {Args{"-l", "0-3"}, Args{"--lcores", "0@0,1@1"}, Args{"--lcores=(0-2)@0"},
                             Args{"-c", "0xf"}, Args{"-l0-3"}, Args{"-c0xf"}}) {
        Config c = vdev_config();
        c.eal_args = user;
        const Args a = build_eal_args(c, "postern", {0, 1});
        EXPECT_EQ(count(a, "--lcores"), user[0] == "--lcores" ? 1u : 0u) << user[0];
        EXPECT_FALSE(has(a, "--main-lcore")) << user[0];
    }
}

TEST(EalArgs, UserLogLevelIsRespected) {
    Config c = vdev_config();
    c.eal_args = {"--log-level=pmd.net.pcap:debug"};
    Args a = build_eal_args(c, "postern", {0});
    EXPECT_FALSE(has(a, "--log-level=*:warning"));
    c.eal_args = {"--log-level", "lib.eal:debug"};
    a = build_eal_args(c, "postern", {0});
    EXPECT_FALSE(has(a, "--log-level=*:warning"));
}

TEST(EalArgs, NoPortsNoDeviceArguments) {
    Config c;
    const Args a = build_eal_args(c, "postern", {0});
    EXPECT_FALSE(has(a, "--vdev"));
    EXPECT_FALSE(has(a, "-a"));
    EXPECT_EQ(a.back(), "--no-telemetry");
}

}  // namespace
