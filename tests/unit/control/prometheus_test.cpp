// The exposition writer: HELP/TYPE once per family, escaped label values, cumulative histograms,
// and refusal of names Prometheus would reject.
#include <gtest/gtest.h>

#include <array>
#include <stdexcept>

#include "output/prometheus.hpp"
#include "util/histogram.hpp"

namespace {

using postern::output::PromLabel;
using postern::output::PromType;
using postern::output::PromWriter;

TEST(Prometheus, CounterFamilyWithLabels) {
    std::string out;
    PromWriter w(out);
    w.family("postern_x_total", PromType::Counter, "Things.\nSecond line \\ here.");
    w.sample({{"port", "a"}, {"worker", "0"}}, 42);
    w.sample({{"port", "b"}, {"worker", "1"}}, 0);
    EXPECT_EQ(out,
              "# HELP postern_x_total Things.\\nSecond line \\\\ here.\n"
              "# TYPE postern_x_total counter\n"
              "postern_x_total{port=\"a\",worker=\"0\"} 42\n"
              "postern_x_total{port=\"b\",worker=\"1\"} 0\n");
}

TEST(Prometheus, LabelValuesAreEscaped) {
    std::string out;
    PromWriter w(out);
    w.family("postern_g", PromType::Gauge, "g");
    w.sample({{"rule", "a\"b\\c\nd"}}, 1.5);
    EXPECT_NE(out.find("postern_g{rule=\"a\\\"b\\\\c\\nd\"} 1.5\n"), std::string::npos) << out;
}

TEST(Prometheus, ValuesKeepPrecision) {
    EXPECT_EQ(PromWriter::format_value(0), "0");
    EXPECT_EQ(PromWriter::format_value(18446744073709.0), "18446744073709");
    EXPECT_EQ(PromWriter::format_value(0.000001), "1e-06");
    EXPECT_EQ(PromWriter::format_value(1.0 / 0.0), "+Inf");
    EXPECT_EQ(PromWriter::format_value(0.0 / 0.0), "NaN");
}

TEST(Prometheus, BadNamesAndRepeatsAreRefused) {
    std::string out;
    PromWriter w(out);
    EXPECT_THROW(w.family("postern_count", PromType::Counter, "no _total"), std::logic_error);
    EXPECT_THROW(w.family("9starts_with_digit", PromType::Gauge, "x"), std::logic_error);
    EXPECT_THROW(w.family("has-dash", PromType::Gauge, "x"), std::logic_error);
    w.family("postern_ok", PromType::Gauge, "x");
    EXPECT_THROW(w.family("postern_ok", PromType::Gauge, "again"), std::logic_error);
    EXPECT_THROW(w.sample({{"bad-label", "v"}}, 1), std::logic_error);
    EXPECT_THROW(w.sample({{"__reserved", "v"}}, 1), std::logic_error);
}

TEST(Prometheus, HistogramIsCumulativeWithInfSumAndCount) {
    std::string out;
    PromWriter w(out);
    w.family("postern_scan_seconds", PromType::Histogram, "scan time");
    const std::array<double, 2> bounds{0.001, 0.01};
    const std::array<uint64_t, 3> counts{2, 3, 1};
    const std::array<PromLabel, 1> labels{{{"worker", "0"}}};
    w.histogram(labels, bounds, counts, 0.5);
    EXPECT_EQ(out,
              "# HELP postern_scan_seconds scan time\n"
              "# TYPE postern_scan_seconds histogram\n"
              "postern_scan_seconds_bucket{worker=\"0\",le=\"0.001\"} 2\n"
              "postern_scan_seconds_bucket{worker=\"0\",le=\"0.01\"} 5\n"
              "postern_scan_seconds_bucket{worker=\"0\",le=\"+Inf\"} 6\n"
              "postern_scan_seconds_sum{worker=\"0\"} 0.5\n"
              "postern_scan_seconds_count{worker=\"0\"} 6\n");
}

TEST(Log2Histogram, BucketsByBitWidth) {
    postern::util::Log2Histogram h;
    h.observe(0);     // bucket 0
    h.observe(1);     // bucket 1: < 2
    h.observe(3);     // bucket 2: < 4
    h.observe(4);     // bucket 3: < 8
    h.observe(~0ull); // the last bucket takes the rest
    const auto s = h.snapshot();
    EXPECT_EQ(s.counts[0], 1u);
    EXPECT_EQ(s.counts[1], 1u);
    EXPECT_EQ(s.counts[2], 1u);
    EXPECT_EQ(s.counts[3], 1u);
    EXPECT_EQ(s.counts[postern::util::Log2Histogram::kBuckets - 1], 1u);
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(s.sum, 0 + 1 + 3 + 4 + ~0ull);
    EXPECT_EQ(postern::util::Log2Histogram::upper_bound(3), 8u);
}

}  // namespace
