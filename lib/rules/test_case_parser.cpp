// The "tests" object of a rule: {"positive": [...], "negative": [...]}; each case is either field
// values ({"fields": {...}, "metrics": {...}}) or a transcript ({"smtp": ["S: 220 ...", "C: EHLO x"]}).
#include "rules/rule_parser_detail.hpp"
#include "rules/transcript.hpp"

namespace postern::rules::detail {

namespace {

void parse_field_values(const json &fields, const std::string &path, ParseContext &ctx, TestCase &tc) {
    if (!fields.is_object() || fields.empty())
        return ctx.error(path, "must be an object of field name → value (or array of values)");
    for (const auto &[name, value] : fields.items()) {
        const std::string vp = join(path, name);
        const auto ref = parse_field_ref(name);
        if (!ref) {
            ctx.error(vp, "unknown field " + quote(name));
            continue;
        }
        if (value.is_string()) {
            tc.values.emplace_back(*ref, value.get<std::string>());
        } else if (value.is_array() && !value.empty()) {
            for (size_t i = 0; i < value.size(); ++i) {
                if (value[i].is_string()) tc.values.emplace_back(*ref, value[i].get<std::string>());
                else ctx.error(index(vp, i), "must be a string, not " + type_name(value[i]));
            }
        } else {
            ctx.error(vp, "must be a string or a non-empty array of strings, not " + type_name(value));
        }
    }
}

void parse_metric_values(const json &metrics, const std::string &path, ParseContext &ctx, TestCase &tc) {
    if (!metrics.is_object()) return ctx.error(path, "must be an object of metric name → number");
    for (const auto &[name, value] : metrics.items()) {
        const auto m = parse_metric(name);
        if (!m) {
            ctx.error(join(path, name), "unknown metric " + quote(name));
            continue;
        }
        if (const auto v = ctx.unsigned_int(metrics, name, path, true, 0, UINT64_MAX)) tc.metrics.emplace_back(*m, *v);
    }
}

void parse_transcript(const json &lines, const std::string &path, proto::Protocol p, ParseContext &ctx, TestCase &tc) {
    tc.protocol = p;
    if (!transcript_supported(p))
        return ctx.error(path, std::string(proto::protocol_name(p)) + " transcripts are not supported yet");
    if (!lines.is_array() || lines.empty())
        return ctx.error(path, "must be a non-empty array of \"C: ...\" (client) and \"S: ...\" (server) lines");
    for (size_t i = 0; i < lines.size(); ++i) {
        const json &l = lines[i];
        std::string err;
        if (!l.is_string()) err = "must be a string, not " + type_name(l);
        else if (!append_transcript_line(tc.transcript, l.get<std::string>()))
            err = "must start with \"C:\" (client) or \"S:\" (server): " + quote(l.get<std::string>());
        if (!err.empty()) ctx.error(index(path, i), err);
    }
}

void parse_case(const json &c, const std::string &path, bool positive, ParseContext &ctx, Rule &rule) {
    if (!c.is_object()) return ctx.error(path, "a test case must be an object, not " + type_name(c));
    ctx.check_keys(c, path, {"description", "fields", "metrics", "smtp", "pop3", "imap"});
    TestCase tc;
    tc.expect_match = positive;
    tc.where = path;
    if (auto d = ctx.string(c, "description", path, false)) tc.description = std::move(*d);
    const bool fields = c.contains("fields") || c.contains("metrics");
    int transcripts = 0;
    for (auto [key, p] : {std::pair{"smtp", proto::Protocol::Smtp}, std::pair{"pop3", proto::Protocol::Pop3},
                          std::pair{"imap", proto::Protocol::Imap}}) {
        if (!c.contains(key)) continue;
        ++transcripts;
        parse_transcript(c.at(key), join(path, key), p, ctx, tc);
    }
    if (transcripts + (fields ? 1 : 0) != 1)
        return ctx.error(path, "a test case has \"fields\" (and \"metrics\") or one transcript (\"smtp\", \"pop3\", \"imap\")");
    if (c.contains("fields")) parse_field_values(c.at("fields"), join(path, "fields"), ctx, tc);
    if (c.contains("metrics")) parse_metric_values(c.at("metrics"), join(path, "metrics"), ctx, tc);
    rule.tests.push_back(std::move(tc));
}

}  // namespace

void parse_tests(const json &tests, ParseContext &ctx, Rule &rule) {
    if (!tests.is_object()) return ctx.error("tests", "must be an object with \"positive\" and \"negative\" arrays");
    ctx.check_keys(tests, "tests", {"positive", "negative"});
    for (auto [key, positive] : {std::pair{"positive", true}, std::pair{"negative", false}}) {
        const auto it = tests.find(key);
        if (it == tests.end()) continue;
        const std::string path = join("tests", key);
        if (!it->is_array()) {
            ctx.error(path, "must be an array of test cases");
            continue;
        }
        for (size_t i = 0; i < it->size(); ++i) parse_case((*it)[i], index(path, i), positive, ctx, rule);
    }
}

}  // namespace postern::rules::detail
