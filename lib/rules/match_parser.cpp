// The "match" object of a rule: {"all": [...]} or {"any": [...]} of field and metric conditions.
#include "rules/rule_parser_detail.hpp"

namespace postern::rules::detail {

namespace {

struct FlagName {
    std::string_view name;
    uint32_t bit;
};
constexpr FlagName kFlags[] = {
    {"caseless", kCaseless}, {"dotall", kDotall}, {"multiline", kMultiline}, {"utf8", kUtf8},
    {"ucp", kUcp},           {"start", kAnchorStart}, {"end", kAnchorEnd},
};

std::optional<uint32_t> parse_flags(const json &obj, const std::string &path, ParseContext &ctx) {
    const auto list = ctx.string_list(obj, "flags", path, false);
    if (!list) return obj.contains("flags") ? std::nullopt : std::optional<uint32_t>(0);
    uint32_t flags = 0;
    bool ok = true;
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string &f = (*list)[i];
        bool found = false;
        for (const auto &k : kFlags)
            if (k.name == f) flags |= k.bit, found = true;
        if (!found) {
            ctx.error(index(join(path, "flags"), i),
                      "unknown flag " + quote(f) + " (expected caseless, dotall, multiline, utf8, ucp, start or end)");
            ok = false;
        }
    }
    if ((flags & kUcp) && !(flags & kUtf8)) {
        ctx.error(join(path, "flags"), "\"ucp\" needs \"utf8\"");
        ok = false;
    }
    if (!ok) return std::nullopt;
    return flags;
}

bool parse_range(const json &obj, const std::string &path, ParseContext &ctx, Range &out) {
    const auto min = ctx.unsigned_int(obj, "min", path, false, 0, UINT64_MAX);
    const auto max = ctx.unsigned_int(obj, "max", path, false, 0, UINT64_MAX);
    if (!obj.contains("min") && !obj.contains("max")) {
        ctx.error(path, "needs \"min\", \"max\" or both");
        return false;
    }
    if ((obj.contains("min") && !min) || (obj.contains("max") && !max)) return false;
    if (min) out.min = *min;
    if (max) out.max = *max;
    if (out.min > out.max) {
        ctx.error(path, "min " + std::to_string(out.min) + " is above max " + std::to_string(out.max));
        return false;
    }
    return true;
}

// "patterns" or "exclude": an array of expressions, each a string (with the condition's flags) or
// {"regex": ..., "flags": [...]} (its own flags replace the condition's).
void parse_patterns(const json &cond, std::string_view key, const std::string &path, uint32_t cond_flags,
                    ParseContext &ctx, std::vector<PatternSpec> &out) {
    const auto it = cond.find(key);
    if (it == cond.end()) return;
    const std::string ppath = join(path, key);
    if (!it->is_array()) return ctx.error(ppath, "must be an array of expressions, not " + type_name(*it));
    if (it->empty()) return ctx.error(ppath, "must hold at least one expression (or be left out)");
    if (it->size() > kMaxPatternsPerCondition)
        ctx.error(ppath, "more than " + std::to_string(kMaxPatternsPerCondition) + " expressions");
    for (size_t i = 0; i < it->size(); ++i) {
        const json &p = (*it)[i];
        const std::string ip = index(ppath, i);
        if (p.is_string()) {
            out.push_back({p.get<std::string>(), cond_flags});
        } else if (p.is_object()) {
            ctx.check_keys(p, ip, {"regex", "flags"});
            const auto regex = ctx.string(p, "regex", ip, true);
            const auto flags = parse_flags(p, ip, ctx);
            if (regex && flags) out.push_back({*regex, p.contains("flags") ? *flags : cond_flags});
        } else {
            ctx.error(ip, "must be a string or {\"regex\": ..., \"flags\": [...]}, not " + type_name(p));
        }
    }
}

void parse_field_condition(const json &cond, const std::string &path, ParseContext &ctx, Rule &rule) {
    ctx.check_keys(cond, path, {"field", "patterns", "exclude", "flags", "length"});
    FieldCondition fc;
    fc.path = path;
    const auto name = ctx.string(cond, "field", path, true);
    if (name) {
        if (auto f = parse_field_ref(*name)) fc.field = std::move(*f);
        else
            ctx.error(join(path, "field"), "unknown field " + quote(*name) + " (known: " +
                                               std::string(known_field_names()) + ")");
    }
    const auto flags = parse_flags(cond, path, ctx);
    parse_patterns(cond, "patterns", path, flags.value_or(0), ctx, fc.patterns);
    parse_patterns(cond, "exclude", path, flags.value_or(0), ctx, fc.excludes);
    if (const auto len = cond.find("length"); len != cond.end()) {
        if (!len->is_object()) ctx.error(join(path, "length"), "must be an object with min/max, not " + type_name(*len));
        else {
            ctx.check_keys(*len, join(path, "length"), {"min", "max"});
            fc.has_length = parse_range(*len, join(path, "length"), ctx, fc.length);
        }
    }
    if (cond.contains("flags") && !cond.contains("patterns") && !cond.contains("exclude"))
        ctx.error(join(path, "flags"), "flags without patterns");
    rule.fields.push_back(std::move(fc));
}

void parse_metric_condition(const json &cond, const std::string &path, ParseContext &ctx, Rule &rule) {
    ctx.check_keys(cond, path, {"metric", "min", "max"});
    MetricCondition mc;
    mc.path = path;
    if (const auto name = ctx.string(cond, "metric", path, true)) {
        if (const auto m = parse_metric(*name)) mc.metric = *m;
        else
            ctx.error(join(path, "metric"), "unknown metric " + quote(*name) + " (known: " +
                                                std::string(known_metric_names()) + ")");
    }
    parse_range(cond, path, ctx, mc.range);
    rule.metrics.push_back(mc);
}

}  // namespace

void parse_match(const json &match, ParseContext &ctx, Rule &rule) {
    if (!match.is_object()) return ctx.error("match", "must be an object with \"all\" or \"any\", not " + type_name(match));
    ctx.check_keys(match, "match", {"all", "any"});
    const bool all = match.contains("all"), any = match.contains("any");
    if (all == any) return ctx.error("match", all ? "has both \"all\" and \"any\": use one" : "needs \"all\" or \"any\"");
    rule.combine = all ? Combine::All : Combine::Any;
    const std::string path = all ? "match.all" : "match.any";
    const json &list = match.at(all ? "all" : "any");
    if (!list.is_array() || list.empty())
        return ctx.error(path, "must be a non-empty array of conditions");
    for (size_t i = 0; i < list.size(); ++i) {
        const json &cond = list[i];
        const std::string cp = index(path, i);
        if (!cond.is_object()) {
            ctx.error(cp, "a condition must be an object, not " + type_name(cond));
        } else if (cond.contains("field") && cond.contains("metric")) {
            ctx.error(cp, "a condition has either \"field\" or \"metric\", not both");
        } else if (cond.contains("metric")) {
            parse_metric_condition(cond, cp, ctx, rule);
        } else {
            parse_field_condition(cond, cp, ctx, rule);
        }
    }
    if (rule.fields.size() > kMaxFieldConditions)
        ctx.error(path, "more than " + std::to_string(kMaxFieldConditions) + " field conditions");
    if (rule.metrics.size() > kMaxMetricConditions)
        ctx.error(path, "more than " + std::to_string(kMaxMetricConditions) + " metric conditions");
}

}  // namespace postern::rules::detail
