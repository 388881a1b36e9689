// The allocation-free JSON writer, EVE timestamps and common fields, and the flow record. Every
// rendered document is parsed back with nlohmann::json, which rejects invalid JSON and ill-formed
// UTF-8.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "output/eve.hpp"
#include "output/flow_record.hpp"
#include "output/json_writer.hpp"

namespace {

using nlohmann::json;
using postern::output::begin_eve_record;
using postern::output::EveEndpoints;
using postern::output::EveType;
using postern::output::FixedJsonWriter;
using postern::output::FlowRecord;
using postern::output::format_timestamp;
using postern::output::JsonWriter;
using postern::output::write_flow_record;
using postern::output::write_flow_record_open;

std::string str(const JsonWriter &w) { return std::string(w.view()); }

// Renders one string value and returns the JSON text.
std::string render_string(std::string_view s) {
    std::vector<char> buf(s.size() * 6 + 16);
    JsonWriter w(buf.data(), buf.size());
    w.string(s);
    EXPECT_FALSE(w.overflowed());
    return str(w);
}

// ---------------------------------------------------------------- structure

TEST(JsonWriter, EmptyContainers) {
    FixedJsonWriter<64> w;
    w.begin_object();
    w.end_object();
    EXPECT_EQ(str(w), "{}");
    w.reset();
    w.begin_array();
    w.end_array();
    EXPECT_EQ(str(w), "[]");
}

TEST(JsonWriter, NestingAndCommas) {
    FixedJsonWriter<512> w;
    w.begin_object();
    w.key("a");
    w.begin_object();
    w.key("b");
    w.begin_array();
    w.number(uint64_t{1});
    w.number(int64_t{-2});
    w.begin_object();
    w.key("c");
    w.begin_array();
    w.end_array();
    w.end_object();
    w.begin_array();
    w.begin_array();
    w.end_array();
    w.begin_array();
    w.null();
    w.end_array();
    w.end_array();
    w.string("s");
    w.end_array();
    w.field("t", true);
    w.end_object();
    w.field("d", false);
    w.key("e");
    w.null();
    w.key("f");
    w.begin_array();
    w.end_array();
    w.end_object();
    ASSERT_FALSE(w.overflowed());
    EXPECT_EQ(str(w), R"({"a":{"b":[1,-2,{"c":[]},[[],[null]],"s"],"t":true},"d":false,"e":null,"f":[]})");
    EXPECT_TRUE(json::accept(w.view()));
}

TEST(JsonWriter, FieldShorthands) {
    FixedJsonWriter<512> w;
    w.begin_object();
    w.field("sv", std::string_view("x"));
    w.field("cstr", "y");
    w.field("u64", uint64_t{18446744073709551615u});
    w.field("u32", uint32_t{4294967295u});
    w.field("i64", std::numeric_limits<int64_t>::min());
    w.field("int", -7);
    w.field("dbl", 1.5);
    w.field("bool", true);
    w.end_object();
    ASSERT_FALSE(w.overflowed());
    EXPECT_EQ(str(w), R"({"sv":"x","cstr":"y","u64":18446744073709551615,"u32":4294967295,)"
                      R"("i64":-9223372036854775808,"int":-7,"dbl":1.5,"bool":true})");
    const json j = json::parse(w.view());
    EXPECT_EQ(j["u64"].get<uint64_t>(), 18446744073709551615u);
    EXPECT_EQ(j["i64"].get<int64_t>(), std::numeric_limits<int64_t>::min());
    EXPECT_EQ(j["int"].get<int>(), -7);
}

TEST(JsonWriter, Doubles) {
    const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.0, "0"}, {1.5, "1.5"}, {-0.25, "-0.25"}, {0.1, "0.1"}, {1e300, "1e+300"}, {123456789.0, "1.23457e+08"},
        {std::numeric_limits<double>::quiet_NaN(), "null"},
        {std::numeric_limits<double>::infinity(), "null"},
        {-std::numeric_limits<double>::infinity(), "null"},
    };
    for (const auto &c : cases) {
        FixedJsonWriter<64> w;
        w.begin_array();
        w.number(c.v);
        w.end_array();
        EXPECT_EQ(str(w), std::string("[") + c.text + "]");
        EXPECT_TRUE(json::accept(w.view())) << c.text;
    }
}

TEST(JsonWriter, RawValues) {
    FixedJsonWriter<128> w;
    w.begin_object();
    w.key("pre");
    w.raw(R"({"x":[1,2]})");
    w.field("after", 3);
    w.key("list");
    w.begin_array();
    w.raw("1");
    w.raw("\"two\"");
    w.end_array();
    w.end_object();
    EXPECT_EQ(str(w), R"({"pre":{"x":[1,2]},"after":3,"list":[1,"two"]})");
    EXPECT_TRUE(json::accept(w.view()));
}

TEST(JsonWriter, ResetStartsOver) {
    FixedJsonWriter<8> w;
    w.begin_object();
    w.field("long key", "value");
    EXPECT_TRUE(w.overflowed());
    w.reset();
    EXPECT_FALSE(w.overflowed());
    EXPECT_EQ(w.size(), 0u);
    w.begin_array();
    w.number(uint64_t{1});
    w.number(uint64_t{2});
    w.end_array();
    EXPECT_EQ(str(w), "[1,2]");
    // Commas restart too: a fresh top-level container after reset gets none.
    w.reset();
    w.begin_array();
    w.end_array();
    EXPECT_EQ(str(w), "[]");
}

// Deep nesting must give valid JSON or report that it could not.
TEST(JsonWriter, DeepNesting) {
    for (int depth = 1; depth <= 40; ++depth) {
        FixedJsonWriter<1024> w;
        std::string want;
        for (int i = 0; i < depth; ++i) {
            w.begin_array();
            w.number(uint64_t{1});
            w.begin_object();
            w.field("k", i);
            w.key("n");
            want += "[1,{\"k\":" + std::to_string(i) + ",\"n\":";
        }
        w.null();
        want += "null";
        for (int i = 0; i < depth; ++i) {
            w.end_object();
            w.number(uint64_t{2});
            w.end_array();
            want += "},2]";
        }
        if (2 * depth <= 32) {
            EXPECT_FALSE(w.overflowed()) << depth;  // 32 levels are supported
        }
        if (w.overflowed()) continue;  // refusing is fine; writing broken JSON is not
        EXPECT_EQ(str(w), want) << depth;
        EXPECT_TRUE(json::accept(w.view())) << depth;
    }
}

// ---------------------------------------------------------------- strings

TEST(JsonWriter, EscapesQuotesBackslashAndControls) {
    EXPECT_EQ(render_string(""), R"("")");
    EXPECT_EQ(render_string("plain text"), R"("plain text")");
    EXPECT_EQ(render_string("say \"hi\""), R"("say \"hi\"")");
    EXPECT_EQ(render_string("C:\\dir\\"), R"("C:\\dir\\")");
    EXPECT_EQ(render_string("a\nb\rc\td"), R"("a\nb\rc\td")");
    EXPECT_EQ(render_string(std::string_view("\0", 1)), R"("\u0000")");
    EXPECT_EQ(render_string("\x01\x08\x0c\x1b\x1f"), R"("\u0001\u0008\u000c\u001b\u001f")");
    EXPECT_EQ(render_string("\x7f"), R"("\u007f")");
    EXPECT_EQ(render_string(" ~/"), R"(" ~/")");  // printable ASCII and '/' stay as they are
    // Every byte below 0x80 round-trips through a JSON parser.
    std::string all;
    for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
    EXPECT_EQ(json::parse(render_string(all)).get<std::string>(), all);
}

TEST(JsonWriter, KeysAreEscapedToo) {
    FixedJsonWriter<64> w;
    w.begin_object();
    w.field("we\"ird\n", 1);
    w.end_object();
    EXPECT_EQ(str(w), R"({"we\"ird\n":1})");
    EXPECT_EQ(json::parse(w.view())["we\"ird\n"].get<int>(), 1);
}

TEST(JsonWriter, ValidUtf8PassesThrough) {
    const char *valid[] = {
        "\xc2\x80",           // U+0080, smallest 2-byte
        "\xc3\xa9t\xc3\xa9",  // été
        "\xdf\xbf",           // U+07FF
        "\xe0\xa0\x80",       // U+0800, smallest 3-byte
        "\xe2\x82\xac",       // €
        "\xed\x9f\xbf",       // U+D7FF, just below the surrogates
        "\xee\x80\x80",       // U+E000, just above them
        "\xef\xbf\xbf",       // U+FFFF
        "\xf0\x90\x80\x80",   // U+10000, smallest 4-byte
        "\xf0\x9f\x98\x80",   // 😀
        "\xf4\x8f\xbf\xbf",   // U+10FFFF, the last code point
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",  // 日本語
    };
    for (const char *s : valid) {
        const std::string out = render_string(s);
        EXPECT_EQ(out, std::string("\"") + s + "\"");
        EXPECT_EQ(json::parse(out).get<std::string>(), s);
    }
}

TEST(JsonWriter, InvalidUtf8BecomesLatin1Escapes) {
    const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"\xff", R"("\u00ff")"},
        {"\xfe\xfe", R"("\u00fe\u00fe")"},
        {"\x80", R"("\u0080")"},                     // lone continuation byte
        {"a\xbf" "b", R"("a\u00bfb")"},
        {"\xc3", R"("\u00c3")"},                     // truncated at the end of the string
        {"\xe2\x82", R"("\u00e2\u0082")"},
        {"\xf0\x9f\x98", R"("\u00f0\u009f\u0098")"},
        {"\xc3(", R"("\u00c3(")"},                   // lead byte followed by ASCII
        {"\xe2\x28\xa1", R"("\u00e2(\u00a1")"},
        {"\xc0\xaf", R"("\u00c0\u00af")"},           // overlong '/'
        {"\xc1\xbf", R"("\u00c1\u00bf")"},           // overlong U+007F
        {"\xe0\x80\xaf", R"("\u00e0\u0080\u00af")"},  // overlong 3-byte
        {"\xe0\x9f\xbf", R"("\u00e0\u009f\u00bf")"},  // overlong U+07FF
        {"\xf0\x82\x82\xac", R"("\u00f0\u0082\u0082\u00ac")"},  // overlong 4-byte €
        {"\xf0\x8f\xbf\xbf", R"("\u00f0\u008f\u00bf\u00bf")"},  // overlong U+FFFF
        {"\xed\xa0\x80", R"("\u00ed\u00a0\u0080")"},  // U+D800, a surrogate
        {"\xed\xbf\xbf", R"("\u00ed\u00bf\u00bf")"},  // U+DFFF
        {"\xed\xa0\xbd\xed\xb8\x80", R"("\u00ed\u00a0\u00bd\u00ed\u00b8\u0080")"},  // CESU-8 pair
        {"\xf4\x90\x80\x80", R"("\u00f4\u0090\u0080\u0080")"},  // U+110000
        {"\xf5\x80\x80\x80", R"("\u00f5\u0080\u0080\u0080")"},
        {"\xf8\x88\x80\x80\x80", R"("\u00f8\u0088\u0080\u0080\u0080")"},  // 5-byte form
        {"ok\xc3\xa9\xff\xc3\xa9", "\"ok\xc3\xa9\\u00ff\xc3\xa9\""},  // valid around invalid
    };
    for (const auto &c : cases) {
        const std::string out = render_string(c.in);
        EXPECT_EQ(out, c.out) << c.in;
        EXPECT_TRUE(json::accept(out)) << out;
    }
    // The value of each stray byte is kept: \u00ff parses back as U+00FF.
    EXPECT_EQ(json::parse(render_string("\xff")).get<std::string>(), "\xc3\xbf");
}

// Random byte strings always render as JSON a strict parser accepts; valid UTF-8 comes back intact.
TEST(JsonWriter, RandomBytesAlwaysParse) {
    std::mt19937_64 rng(11);
    for (int i = 0; i < 5000; ++i) {
        std::string s(rng() % 40, '\0');
        for (auto &c : s) {
            const uint64_t r = rng() % 10;
            // Mix ASCII, continuation bytes and lead bytes so some sequences are valid.
            c = static_cast<char>(r < 4 ? rng() % 0x80 : r < 7 ? 0x80 + rng() % 0x40 : 0xC0 + rng() % 0x40);
        }
        const std::string out = render_string(s);
        json j;
        ASSERT_NO_THROW(j = json::parse(out)) << i;
        // Parsing again and re-rendering is stable: the first rendering was already valid UTF-8.
        const std::string back = j.get<std::string>();
        EXPECT_EQ(json::parse(render_string(back)).get<std::string>(), back);
    }
    for (int i = 0; i < 2000; ++i) {  // valid UTF-8 built from random code points
        std::string s;
        for (int k = 0; k < 10; ++k) {
            uint32_t cp = static_cast<uint32_t>(rng() % 0x110000);
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
            if (cp < 0x80) {
                s += static_cast<char>(cp);
            } else if (cp < 0x800) {
                s += static_cast<char>(0xC0 | cp >> 6), s += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                s += static_cast<char>(0xE0 | cp >> 12), s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
                s += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
                s += static_cast<char>(0xF0 | cp >> 18), s += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
                s += static_cast<char>(0x80 | (cp >> 6 & 0x3F)), s += static_cast<char>(0x80 | (cp & 0x3F));
            }
        }
        EXPECT_EQ(json::parse(render_string(s)).get<std::string>(), s) << i;
    }
}

// ---------------------------------------------------------------- overflow

// A record rendered into every buffer size from 0 up: never a byte past the end, overflow flagged
// exactly when the record does not fit, and identical output when it does.
TEST(JsonWriter, OverflowIsFlaggedAndNeverWritesPastTheBuffer) {
    auto render = [](JsonWriter &w) {
        w.begin_object();
        w.field("name", "value with \"quotes\" and \xff and \xe2\x82\xac");
        w.field("n", uint64_t{1234567890});
        w.field("neg", int64_t{-42});
        w.field("d", 2.5);
        w.key("arr");
        w.begin_array();
        w.string("\x01\x02");
        w.boolean(false);
        w.null();
        w.raw("{\"r\":1}");
        w.end_array();
        w.end_object();
    };
    std::vector<char> big(1024);
    JsonWriter full(big.data(), big.size());
    render(full);
    ASSERT_FALSE(full.overflowed());
    const std::string want = str(full);
    ASSERT_TRUE(json::accept(want));

    constexpr char kCanary = '\xA5';
    for (size_t cap = 0; cap <= want.size() + 4; ++cap) {
        std::vector<char> buf(cap + 64, kCanary);
        JsonWriter w(buf.data(), cap);
        render(w);
        for (size_t i = cap; i < buf.size(); ++i) ASSERT_EQ(buf[i], kCanary) << "cap " << cap << " byte " << i;
        ASSERT_LE(w.size(), cap);
        if (cap < want.size()) {
            EXPECT_TRUE(w.overflowed()) << cap;
        } else {
            EXPECT_FALSE(w.overflowed()) << cap;
            EXPECT_EQ(str(w), want);
        }
    }
}

TEST(JsonWriter, OverflowInsideALongString) {
    FixedJsonWriter<32> w;
    w.string(std::string(100, '\x01'));  // each byte expands to six
    EXPECT_TRUE(w.overflowed());
    EXPECT_LE(w.size(), 32u);
}

// ---------------------------------------------------------------- EVE timestamps and header

std::string ts(uint64_t ns) {
    char buf[32];
    const size_t n = format_timestamp(ns, buf);
    EXPECT_EQ(n, 31u);
    EXPECT_EQ(buf[n], '\0');
    return std::string(buf, n);
}

constexpr uint64_t kNs = 1000000000ull;

TEST(JsonWriter, FormatTimestampKnownInstants) {
    EXPECT_EQ(ts(0), "1970-01-01T00:00:00.000000+0000");
    EXPECT_EQ(ts(999), "1970-01-01T00:00:00.000000+0000");  // below a microsecond: truncated
    EXPECT_EQ(ts(1000), "1970-01-01T00:00:00.000001+0000");
    EXPECT_EQ(ts(1709210096ull * kNs + 789012345), "2024-02-29T12:34:56.789012+0000");  // leap day
    EXPECT_EQ(ts(951782400ull * kNs), "2000-02-29T00:00:00.000000+0000");  // leap century
    EXPECT_EQ(ts(4107542399ull * kNs), "2100-02-28T23:59:59.000000+0000");  // not a leap year
    EXPECT_EQ(ts(4107542400ull * kNs), "2100-03-01T00:00:00.000000+0000");
    EXPECT_EQ(ts(946684799ull * kNs + 999999999), "1999-12-31T23:59:59.999999+0000");
    EXPECT_EQ(ts(2147483647ull * kNs), "2038-01-19T03:14:07.000000+0000");
    EXPECT_EQ(ts(2147483648ull * kNs), "2038-01-19T03:14:08.000000+0000");  // past 32-bit time_t
    EXPECT_EQ(ts(4294967296ull * kNs), "2106-02-07T06:28:16.000000+0000");  // past 32-bit unsigned
    EXPECT_EQ(ts(UINT64_MAX), "2554-07-21T23:34:33.709551+0000");
}

TEST(JsonWriter, FormatTimestampAgreesWithGmtime) {
    std::mt19937_64 rng(3);
    for (int i = 0; i < 20000; ++i) {
        const uint64_t secs = rng() % (uint64_t{1} << 34);  // up to year 2514
        const uint64_t ns = secs * kNs + rng() % kNs;
        const auto t = static_cast<time_t>(secs);
        std::tm tm{};
        ASSERT_NE(gmtime_r(&t, &tm), nullptr);
        char want[64];
        std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      static_cast<unsigned>(ns % kNs / 1000));
        ASSERT_EQ(ts(ns), want) << secs;
    }
}

TEST(JsonWriter, EveNames) {
    using postern::output::eve_type_name;
    using postern::output::proto_name;
    EXPECT_EQ(eve_type_name(EveType::Flow), "flow");
    EXPECT_EQ(eve_type_name(EveType::Alert), "alert");
    EXPECT_EQ(eve_type_name(EveType::Anomaly), "anomaly");
    EXPECT_EQ(eve_type_name(EveType::Smtp), "smtp");
    EXPECT_EQ(eve_type_name(EveType::Pop3), "pop3");
    EXPECT_EQ(eve_type_name(EveType::Imap), "imap");
    EXPECT_EQ(eve_type_name(EveType::Tls), "tls");
    EXPECT_EQ(eve_type_name(EveType::Stats), "stats");
    EXPECT_EQ(eve_type_name(EveType::Count), "unknown");
    EXPECT_EQ(proto_name(6), "TCP");
    EXPECT_EQ(proto_name(17), "UDP");
    EXPECT_EQ(proto_name(1), "ICMP");
    EXPECT_EQ(proto_name(58), "IPv6-ICMP");
    EXPECT_EQ(proto_name(132), "other");
}

EveEndpoints v4_endpoints() {
    EveEndpoints ep;
    ep.family = postern::net::IpFamily::V4;
    ep.src_ip.bytes = {192, 0, 2, 10};
    ep.dest_ip.bytes = {198, 51, 100, 25};
    ep.src_port = 49152;
    ep.dest_port = 25;
    ep.proto = 6;
    return ep;
}

TEST(JsonWriter, EveCommonHeader) {
    FixedJsonWriter<1024> w;
    begin_eve_record(w, 1709210096ull * kNs + 123456000, EveType::Smtp, 4503599627370495ull, "eth0",
                     v4_endpoints(), "smtp");
    w.end_object();
    ASSERT_FALSE(w.overflowed());
    EXPECT_EQ(str(w), R"({"timestamp":"2024-02-29T12:34:56.123456+0000","flow_id":4503599627370495,)"
                      R"("in_iface":"eth0","event_type":"smtp","src_ip":"192.0.2.10","src_port":49152,)"
                      R"("dest_ip":"198.51.100.25","dest_port":25,"proto":"TCP","app_proto":"smtp"})");

    // Without an interface or app protocol those keys are left out; IPv6 is compressed.
    EveEndpoints ep;
    ep.family = postern::net::IpFamily::V6;
    ep.src_ip.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    ep.dest_ip.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    ep.src_port = 0;
    ep.dest_port = 0;
    ep.proto = 58;
    w.reset();
    begin_eve_record(w, 0, EveType::Anomaly, 1, "", ep, "");
    w.end_object();
    const json j = json::parse(w.view());
    EXPECT_FALSE(j.contains("in_iface"));
    EXPECT_FALSE(j.contains("app_proto"));
    EXPECT_EQ(j["src_ip"], "2001:db8::1");
    EXPECT_EQ(j["dest_ip"], "2001:db8::2");
    EXPECT_EQ(j["proto"], "IPv6-ICMP");
    EXPECT_EQ(j["event_type"], "anomaly");
}

// ---------------------------------------------------------------- flow records

FlowRecord tcp_record() {
    FlowRecord r;
    r.endpoints = v4_endpoints();
    r.flow_id = 1234567890123ull;
    r.start_ns = 1700000000ull * kNs + 500000;
    r.end_ns = 1700000065ull * kNs + 250000000;
    r.pkts[0] = 12, r.pkts[1] = 10;
    r.bytes[0] = 3456, r.bytes[1] = 7890;
    r.tcp_flags[0] = 0x1b;  // FIN SYN PSH ACK
    r.tcp_flags[1] = 0x16;  // SYN RST ACK
    r.gap[0] = false;
    r.gap[1] = true;
    r.alerted = true;
    r.state = "closed";
    r.tcp_state = "closed";
    r.reason = "timeout";
    r.app_proto = "smtp";
    r.in_iface = "net_pcap0";
    return r;
}

TEST(JsonWriter, FlowRecordRoundTrips) {
    FixedJsonWriter<4096> w;
    write_flow_record(w, tcp_record());
    ASSERT_FALSE(w.overflowed());
    const json j = json::parse(w.view());
    EXPECT_EQ(j["timestamp"], "2023-11-14T22:14:25.250000+0000");  // the flow's end
    EXPECT_EQ(j["flow_id"].get<uint64_t>(), 1234567890123ull);
    EXPECT_EQ(j["in_iface"], "net_pcap0");
    EXPECT_EQ(j["event_type"], "flow");
    EXPECT_EQ(j["src_ip"], "192.0.2.10");
    EXPECT_EQ(j["src_port"], 49152);
    EXPECT_EQ(j["dest_ip"], "198.51.100.25");
    EXPECT_EQ(j["dest_port"], 25);
    EXPECT_EQ(j["proto"], "TCP");
    EXPECT_EQ(j["app_proto"], "smtp");

    const json &f = j["flow"];
    EXPECT_EQ(f["pkts_toserver"], 12);
    EXPECT_EQ(f["pkts_toclient"], 10);
    EXPECT_EQ(f["bytes_toserver"], 3456);
    EXPECT_EQ(f["bytes_toclient"], 7890);
    EXPECT_EQ(f["start"], "2023-11-14T22:13:20.000500+0000");
    EXPECT_EQ(f["end"], "2023-11-14T22:14:25.250000+0000");
    EXPECT_EQ(f["age"], 65);
    EXPECT_EQ(f["state"], "closed");
    EXPECT_EQ(f["reason"], "timeout");
    EXPECT_EQ(f["alerted"], true);
    EXPECT_EQ(f.size(), 10u);

    const json &t = j["tcp"];
    EXPECT_EQ(t["tcp_flags"], "1f");
    EXPECT_EQ(t["tcp_flags_ts"], "1b");
    EXPECT_EQ(t["tcp_flags_tc"], "16");
    EXPECT_EQ(t["fin"], true);
    EXPECT_EQ(t["syn"], true);
    EXPECT_EQ(t["rst"], true);
    EXPECT_EQ(t["psh"], true);
    EXPECT_EQ(t["ack"], true);
    EXPECT_FALSE(t.contains("urg"));
    EXPECT_FALSE(t.contains("ts_gap"));
    EXPECT_EQ(t["tc_gap"], true);
    EXPECT_EQ(t["state"], "closed");

    // Field order: the common header first, as Suricata writes it.
    const std::string_view text = w.view();
    EXPECT_EQ(text.substr(0, 14), R"({"timestamp":")");
    EXPECT_LT(text.find("\"event_type\""), text.find("\"flow\":{"));
}

TEST(JsonWriter, FlowRecordForUdpHasNoTcpObject) {
    FlowRecord r = tcp_record();
    r.endpoints.proto = 17;
    r.app_proto = "";
    r.in_iface = "";
    r.tcp_state = "";
    r.state = "new";
    r.alerted = false;
    r.start_ns = r.end_ns;
    FixedJsonWriter<4096> w;
    write_flow_record(w, r);
    const json j = json::parse(w.view());
    EXPECT_FALSE(j.contains("tcp"));
    EXPECT_FALSE(j.contains("in_iface"));
    EXPECT_EQ(j["app_proto"], "failed");  // Suricata's word for "not identified"
    EXPECT_EQ(j["proto"], "UDP");
    EXPECT_EQ(j["flow"]["age"], 0);
    EXPECT_EQ(j["flow"]["alerted"], false);
    EXPECT_EQ(j["flow"]["state"], "new");
}

TEST(JsonWriter, FlowRecordTcpFlagsAllSet) {
    FlowRecord r = tcp_record();
    r.tcp_flags[0] = 0xff;
    r.tcp_flags[1] = 0;
    r.gap[0] = true;
    r.tcp_state = "";
    FixedJsonWriter<4096> w;
    write_flow_record(w, r);
    const json t = json::parse(w.view())["tcp"];
    EXPECT_EQ(t["tcp_flags"], "ff");
    EXPECT_EQ(t["tcp_flags_tc"], "00");
    for (const char *k : {"fin", "syn", "rst", "psh", "ack", "urg", "ts_gap", "tc_gap"}) EXPECT_EQ(t[k], true) << k;
    EXPECT_FALSE(t.contains("state"));
}

TEST(JsonWriter, FlowRecordOpenLetsTheCallerAddObjects) {
    FixedJsonWriter<4096> w;
    write_flow_record_open(w, tcp_record());
    w.key("reassembly");
    w.begin_object();
    w.field("gap_bytes_toserver", uint64_t{0});
    w.end_object();
    w.end_object();
    const json j = json::parse(w.view());
    EXPECT_EQ(j["reassembly"]["gap_bytes_toserver"], 0);
    EXPECT_TRUE(j.contains("tcp"));
}

TEST(JsonWriter, FlowRecordOverflowIsReported) {
    for (size_t cap : {0, 1, 50, 200, 400}) {
        std::vector<char> buf(cap + 16, '\x5A');
        JsonWriter w(buf.data(), cap);
        write_flow_record(w, tcp_record());
        EXPECT_TRUE(w.overflowed()) << cap;
        for (size_t i = cap; i < buf.size(); ++i) ASSERT_EQ(buf[i], '\x5A');
    }
}

}  // namespace
