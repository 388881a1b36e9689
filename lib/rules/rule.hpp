// The rule model: what one JSON rule says once it has been parsed and checked. Plain values with
// owned strings; the compiler turns a list of these into a RuleSet. See docs/rules.md.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "proto/protocol.hpp"
#include "rules/field_ref.hpp"
#include "rules/metrics.hpp"
#include "stream/direction.hpp"
#include "util/named_enum.hpp"

namespace postern::rules {

// As written in rule files; the names are what the rule parser accepts (rule_names.hpp).
#define POSTERN_RULE_STATUSES(X) X(Stable, "stable") X(Test, "test") X(Experimental, "experimental")
POSTERN_NAMED_ENUM(Status, POSTERN_RULE_STATUSES);
#define POSTERN_RULE_LEVELS(X) \
    X(Informational, "informational") X(Low, "low") X(Medium, "medium") X(High, "high") X(Critical, "critical")
POSTERN_NAMED_ENUM(Level, POSTERN_RULE_LEVELS);
// What a match does to its flow. Alert: an alert only. Drop: in inline mode the packet that
// completed the match and every later packet of the flow are dropped. Reject: as Drop, and TCP
// RSTs go both ways. Pass: the flow is no longer inspected (bypassed), and no alert is written.
#define POSTERN_RULE_ACTIONS(X) X(Alert, "alert") X(Drop, "drop") X(Pass, "pass") X(Reject, "reject")
POSTERN_NAMED_ENUM(Action, POSTERN_RULE_ACTIONS);
enum class Combine : uint8_t { All, Any };
#define POSTERN_RULE_TRACKS(X) X(Source, "by_src") X(Destination, "by_dst") X(User, "by_user")
POSTERN_NAMED_ENUM(TrackBy, POSTERN_RULE_TRACKS);

// Bits of PatternSpec::flags.
enum PatternFlag : uint32_t {
    kCaseless = 1u << 0,
    kDotall = 1u << 1,
    kMultiline = 1u << 2,
    kUtf8 = 1u << 3,
    kUcp = 1u << 4,  // Unicode properties for \w, \d, \s (needs utf8)
    kAnchorStart = 1u << 5,  // the match must start at the first byte of the value
    kAnchorEnd = 1u << 6,  // the match must end at the last byte of the value
};

// Rules per condition and per rule are small; these bound the per-session match state.
inline constexpr size_t kMaxFieldConditions = 8;
inline constexpr size_t kMaxMetricConditions = 8;
inline constexpr size_t kMaxPatternsPerCondition = 64;

struct Range {
    uint64_t min = 0;
    uint64_t max = std::numeric_limits<uint64_t>::max();
    bool contains(uint64_t v) const { return v >= min && v <= max; }
};

struct PatternSpec {
    std::string expression;  // as written in the rule
    uint32_t flags = 0;  // PatternFlag bits
};

// Satisfied by one value of `field` that matches any of `patterns` (or any value when there are
// none), none of `excludes`, and whose length is within `length` (when given).
struct FieldCondition {
    FieldRef field;
    std::vector<PatternSpec> patterns;
    std::vector<PatternSpec> excludes;
    bool has_length = false;
    Range length;
    std::string path;  // "match.all[0]", for diagnostics
};

// Satisfied at the end of a transaction when the metric is known and within range.
struct MetricCondition {
    Metric metric = Metric::SmtpRcptCount;
    Range range;
    std::string path;
};

struct Threshold {
    uint32_t count = 1;  // hits needed within `seconds`
    uint32_t seconds = 60;
    TrackBy track = TrackBy::Source;
};

// One embedded test: either field values fed straight to the matcher (one transaction) or a
// protocol transcript run through the real parser.
struct TestCase {
    bool expect_match = true;
    std::string where;  // "tests.positive[0]"
    std::string description;
    // Field values, in order.
    std::vector<std::pair<FieldRef, std::string>> values;
    std::vector<std::pair<Metric, uint64_t>> metrics;
    // Or a transcript: chunks of bytes per direction, in order.
    proto::Protocol protocol = proto::Protocol::Unknown;  // Unknown: a field-value test
    std::vector<std::pair<stream::Direction, std::string>> transcript;
};

struct Rule {
    uint32_t id = 0;
    uint32_t rev = 1;
    std::string title;
    std::string description;
    Status status = Status::Experimental;
    Level level = Level::Medium;
    std::string category;  // EVE alert.category
    std::vector<std::string> tags;
    std::vector<std::string> references;
    uint8_t protocols = 0;  // bit per proto::Protocol it applies to
    Action action = Action::Alert;
    bool filestore = false;  // the files of the transaction it fires in are extracted (output.files.store)
    Combine combine = Combine::All;
    std::vector<FieldCondition> fields;
    std::vector<MetricCondition> metrics;
    bool has_threshold = false;
    Threshold threshold;
    std::vector<TestCase> tests;

    // Derived from tags, for EVE alert.metadata.
    std::vector<std::string> mitre_techniques;  // "T1071.003"
    std::vector<std::string> mitre_tactics;  // "TA0011"

    std::string file;  // where it was defined
    uint32_t position = 0;  // index in the file's "rules" array
    uint64_t content_hash = 0;  // of its canonical JSON
};

inline constexpr uint8_t protocol_bit(proto::Protocol p) { return static_cast<uint8_t>(1u << static_cast<unsigned>(p)); }

}  // namespace postern::rules
