#include "rules/rule_parser.hpp"

#include <set>

#include "rules/attack_tags.hpp"
#include "rules/hash.hpp"
#include "rules/rule_parser_detail.hpp"

namespace postern::rules {

using detail::json;
using detail::ParseContext;
using detail::quote;

namespace {

constexpr uint64_t kMaxId = 4294967295u;

// nlohmann keeps the last of duplicate keys silently; a duplicated "patterns" would lose rules.
class DuplicateKeyCheck {
public:
    explicit DuplicateKeyCheck(std::vector<std::string> &dups) : dups_(dups) {}
    bool operator()(int, json::parse_event_t event, json &parsed) {
        if (event == json::parse_event_t::object_start) keys_.emplace_back();
        else if (event == json::parse_event_t::object_end && !keys_.empty()) keys_.pop_back();
        else if (event == json::parse_event_t::key && !keys_.empty() && !keys_.back().insert(parsed.get<std::string>()).second)
            dups_.push_back(parsed.get<std::string>());
        return true;
    }

private:
    std::vector<std::set<std::string>> keys_;
    std::vector<std::string> &dups_;
};

std::pair<size_t, size_t> line_column(std::string_view text, size_t byte) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') ++line, col = 1;
        else ++col;
    }
    return {line, col};
}

void parse_protocols(const json &j, ParseContext &ctx, Rule &r) {
    const auto list = ctx.string_list(j, "protocols", "", false);
    if (!list) return;
    if (list->empty()) ctx.error("protocols", "must name at least one protocol (or be left out)");
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string &p = (*list)[i];
        if (p == "smtp") r.protocols |= protocol_bit(proto::Protocol::Smtp);
        else if (p == "pop3") r.protocols |= protocol_bit(proto::Protocol::Pop3);
        else if (p == "imap") r.protocols |= protocol_bit(proto::Protocol::Imap);
        else if (p == "tls") r.protocols |= protocol_bit(proto::Protocol::Tls);
        else ctx.error(detail::index("protocols", i), "unknown protocol " + quote(p) + " (expected smtp, pop3, imap or tls)");
    }
}

std::string protocol_list(uint8_t bits) {
    std::string s;
    for (auto p : {proto::Protocol::Smtp, proto::Protocol::Pop3, proto::Protocol::Imap, proto::Protocol::Tls})
        if (bits & protocol_bit(p)) s += (s.empty() ? "" : ", ") + std::string(proto::protocol_name(p));
    return s;
}

uint8_t metric_protocols(Metric m) {
    constexpr uint8_t kMail = protocol_bit(proto::Protocol::Smtp) | protocol_bit(proto::Protocol::Pop3) |
                              protocol_bit(proto::Protocol::Imap);
    return metric_name(m).substr(0, 5) == "smtp." ? protocol_bit(proto::Protocol::Smtp) : kMail;
}

// The protocols the rule applies to: as declared, or what its conditions allow. Every condition
// must be able to appear in them, or the rule could never match.
void settle_protocols(ParseContext &ctx, Rule &r, bool declared) {
    uint8_t all = 0xff, any = 0;
    auto check = [&](uint8_t bits, const std::string &path, const std::string &name) {
        all &= bits, any |= bits;
        if (declared && !(bits & r.protocols))
            ctx.error(path, name + " never appears in protocols [" + protocol_list(r.protocols) + "]");
    };
    const std::string cond_path = r.combine == Combine::All ? "match.all" : "match.any";
    for (const auto &f : r.fields)
        if (f.field.kind != FieldRef::Kind::Field || f.field.field != proto::Field::Count) check(field_protocols(f.field), f.path, f.field.name());
    for (const auto &m : r.metrics) check(metric_protocols(m.metric), m.path, std::string(metric_name(m.metric)));
    if (declared) return;
    r.protocols = r.combine == Combine::All ? all : any;
    if (r.protocols == 0 && (r.fields.size() + r.metrics.size()) > 0)
        ctx.error(cond_path, "conditions on fields of different protocols can never all match in one session");
}

void parse_tags(const json &j, ParseContext &ctx, Rule &r) {
    if (auto tags = ctx.string_list(j, "tags", "", false)) r.tags = std::move(*tags);
    for (size_t i = 0; i < r.tags.size(); ++i) {
        const AttackTag t = parse_attack_tag(r.tags[i]);
        if (t.kind == AttackTagKind::Technique) r.mitre_techniques.push_back(t.id);
        else if (t.kind == AttackTagKind::Tactic) {
            r.mitre_tactics.push_back(t.id);
            if (r.category.empty()) r.category = std::string(t.tactic_name);
        } else if (t.kind == AttackTagKind::Unknown)
            ctx.warning(detail::index("tags", i), "unknown ATT&CK tag " + quote(r.tags[i]));
    }
}

void parse_threshold(const json &j, ParseContext &ctx, Rule &r) {
    const auto it = j.find("threshold");
    if (it == j.end()) return;
    if (!it->is_object()) return ctx.error("threshold", "must be an object, not " + detail::type_name(*it));
    ctx.check_keys(*it, "threshold", {"count", "seconds", "track"});
    const auto count = ctx.unsigned_int(*it, "count", "threshold", true, 1, 1000000);
    const auto seconds = ctx.unsigned_int(*it, "seconds", "threshold", true, 1, 86400 * 7);
    const auto track = ctx.one_of(*it, "track", "threshold", true, kTrackByNames);
    if (!count || !seconds || !track) return;
    r.has_threshold = true;
    r.threshold = {static_cast<uint32_t>(*count), static_cast<uint32_t>(*seconds), static_cast<TrackBy>(*track)};
}

Rule parse_rule(const json &j, ParseContext &ctx, bool &has_level) {
    const size_t errors_before = ctx.errors();
    Rule r;
    r.file = ctx.file();
    if (const auto id = ctx.unsigned_int(j, "id", "", true, 1, kMaxId)) {
        r.id = static_cast<uint32_t>(*id);
        ctx.set_rule_id(r.id);
    }
    ctx.check_keys(j, "", {"id", "rev", "title", "description", "status", "level", "category", "tags", "references",
                           "protocols", "action", "filestore", "match", "threshold", "tests", "author", "date",
                           "modified", "falsepositives"});
    if (const auto rev = ctx.unsigned_int(j, "rev", "", true, 1, kMaxId)) r.rev = static_cast<uint32_t>(*rev);
    if (auto title = ctx.string(j, "title", "", true)) {
        if (title->empty()) ctx.error("title", "must not be empty");
        r.title = std::move(*title);
    }
    if (auto d = ctx.string(j, "description", "", false)) r.description = std::move(*d);
    if (const auto s = ctx.one_of(j, "status", "", false, kStatusNames)) r.status = static_cast<Status>(*s);
    if (const auto l = ctx.one_of(j, "level", "", true, kLevelNames)) {
        r.level = static_cast<Level>(*l);
        has_level = true;
    }
    if (const auto a = ctx.one_of(j, "action", "", false, kActionNames)) r.action = static_cast<Action>(*a);
    if (const auto fs = j.find("filestore"); fs != j.end()) {  // Suricata's filestore keyword
        if (fs->is_boolean()) r.filestore = fs->get<bool>();
        else ctx.error("filestore", "must be true or false, not " + detail::type_name(*fs));
    }
    for (const char *k : {"author", "date", "modified"}) ctx.string(j, k, "", false);
    ctx.string_list(j, "falsepositives", "", false);
    parse_tags(j, ctx, r);
    if (auto c = ctx.string(j, "category", "", false)) r.category = std::move(*c);
    if (r.category.empty()) r.category = "Mail protocol misuse";
    if (auto refs = ctx.string_list(j, "references", "", false)) r.references = std::move(*refs);
    for (size_t i = 0; i < r.references.size(); ++i)
        if (r.references[i].rfind("https://", 0) != 0 && r.references[i].rfind("http://", 0) != 0)
            ctx.warning(detail::index("references", i), "not a URL: " + quote(r.references[i]));
    parse_protocols(j, ctx, r);
    const bool declared = r.protocols != 0;
    if (const auto m = j.find("match"); m == j.end()) ctx.error("match", "required key is missing");
    else {
        detail::parse_match(*m, ctx, r);
        settle_protocols(ctx, r, declared);
    }
    parse_threshold(j, ctx, r);
    if (const auto t = j.find("tests"); t != j.end()) detail::parse_tests(*t, ctx, r);
    bool positive = false, negative = false;
    for (const auto &t : r.tests) (t.expect_match ? positive : negative) = true;
    if (ctx.errors() != errors_before) return r;  // the errors matter more than missing tests
    if (!positive) ctx.warning("tests", "no positive test: nothing shows the rule matches what it is meant to");
    if (!negative) ctx.warning("tests", "no negative test: nothing shows the rule leaves ordinary mail alone");
    r.content_hash = fnv1a64(j.dump());
    return r;
}

}  // namespace

ParsedFile parse_rule_text(std::string_view text, const std::string &file, Diagnostics &diags) {
    ParsedFile out;
    ParseContext ctx(file, diags);
    json doc;
    std::vector<std::string> duplicates;
    try {
        doc = json::parse(text.begin(), text.end(), DuplicateKeyCheck(duplicates));
    } catch (const json::parse_error &e) {
        const auto [line, col] = line_column(text, e.byte == 0 ? 0 : e.byte - 1);
        std::string what = e.what();
        if (const size_t p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
        ctx.error("", "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
        return out;
    } catch (const json::exception &e) {  // a number too large for a double: out_of_range, which has no position
        ctx.error("", std::string("invalid JSON: ") + e.what());
        return out;
    }
    for (const auto &k : duplicates) ctx.error("", "duplicate key " + quote(k) + " (JSON objects must not repeat a key)");
    if (!doc.is_object()) {
        ctx.error("", "a rule file is an object with a \"rules\" array, not " + detail::type_name(doc));
        return out;
    }
    ctx.check_keys(doc, "", {"rules", "description"});
    const auto rules = doc.find("rules");
    if (rules == doc.end() || !rules->is_array()) {
        ctx.error("rules", rules == doc.end() ? "required key is missing" : "must be an array of rules");
        return out;
    }
    for (size_t i = 0; i < rules->size(); ++i) {
        const json &j = (*rules)[i];
        ctx.begin_rule(i);
        if (!j.is_object()) {
            ctx.error("", "a rule must be an object, not " + detail::type_name(j));
            RejectedRule bad;
            bad.rule.file = file;
            bad.rule.position = static_cast<uint32_t>(i);
            out.rejected.push_back(std::move(bad));
            ctx.end_rule();
            continue;
        }
        const size_t errors_before = ctx.errors();
        bool has_level = false;
        Rule r = parse_rule(j, ctx, has_level);
        r.position = static_cast<uint32_t>(i);
        if (ctx.errors() == errors_before) out.rules.push_back(std::move(r));
        else out.rejected.push_back({std::move(r), has_level});
        ctx.end_rule();
    }
    return out;
}

}  // namespace postern::rules
