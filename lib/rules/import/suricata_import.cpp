#include "suricata_import.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>

#include "rules/import/suricata_rule_text.hpp"
#include "rules/loader.hpp"

namespace postern::rules::import {

namespace {

using nlohmann::json;

// Suricata's sticky buffers and the Postern field each becomes. Multi-valued fields hold one value
// per address or attachment: several contents must then hold in one value, as in Suricata.
struct BufferMap {
    std::string_view suricata, field;
    bool multi;
};
constexpr BufferMap kBuffers[] = {
    {"smtp.helo", "smtp.helo", false},          {"smtp.mail_from", "smtp.mail_from", false},
    {"smtp.rcpt_to", "smtp.rcpt_to", true},     {"email.from", "email.from", false},
    {"email.to", "email.to", true},             {"email.cc", "email.cc", true},
    {"email.subject", "email.subject", false},  {"email.x_mailer", "email.x_mailer", false},
    {"email.message_id", "email.message_id", false}, {"email.date", "email.header.date", false},
    {"email.received", "email.header.received", true}, {"file.name", "email.attachment.filename", true},
    {"file.data", "email.body_prefix", true},   {"file.magic", "file.magic", true},
};
constexpr size_t kBodyPrefix = 256;  // what email.body_prefix holds of each part (MimeLimits::body_prefix)

// Suricata's classification.config: description (EVE alert.category) and default priority.
struct Classtype {
    std::string_view name, description;
    int priority;
};
constexpr Classtype kClasstypes[] = {
    {"not-suspicious", "Not Suspicious Traffic", 3}, {"unknown", "Unknown Traffic", 3},
    {"bad-unknown", "Potentially Bad Traffic", 2}, {"attempted-recon", "Attempted Information Leak", 2},
    {"successful-recon-limited", "Information Leak", 2}, {"successful-recon-largescale", "Large Scale Information Leak", 2},
    {"attempted-dos", "Attempted Denial of Service", 2}, {"successful-dos", "Denial of Service", 2},
    {"attempted-user", "Attempted User Privilege Gain", 1}, {"unsuccessful-user", "Unsuccessful User Privilege Gain", 1},
    {"successful-user", "Successful User Privilege Gain", 1}, {"attempted-admin", "Attempted Administrator Privilege Gain", 1},
    {"successful-admin", "Successful Administrator Privilege Gain", 1}, {"shellcode-detect", "Executable code was detected", 1},
    {"string-detect", "A suspicious string was detected", 3},
    {"suspicious-filename-detect", "A suspicious filename was detected", 2},
    {"suspicious-login", "An attempted login using a suspicious username was detected", 2},
    {"trojan-activity", "A Network Trojan was detected", 1},
    {"non-standard-protocol", "Detection of a non-standard protocol or event", 2},
    {"protocol-command-decode", "Generic Protocol Command Decode", 3}, {"misc-activity", "Misc activity", 3},
    {"misc-attack", "Misc Attack", 2}, {"policy-violation", "Potential Corporate Privacy Violation", 1},
    {"default-login-attempt", "Attempt to login by a default username and password", 2},
    {"targeted-activity", "Targeted Malicious Activity was Detected", 1},
    {"exploit-kit", "Exploit Kit Activity Detected", 1}, {"domain-c2", "Domain Observed Used for C2 Detected", 1},
    {"pup-activity", "Possibly Unwanted Program Detected", 2},
    {"credential-theft", "Successful Credential Theft Detected", 1},
    {"social-engineering", "Possible Social Engineering Attempted", 2},
    {"command-and-control", "Malware Command and Control Activity Detected", 1},
};

// ATT&CK tactic ids in Suricata metadata, as the tag names Postern's rules use.
constexpr std::pair<std::string_view, std::string_view> kTactics[] = {
    {"TA0001", "initial-access"}, {"TA0002", "execution"},       {"TA0003", "persistence"},
    {"TA0004", "privilege-escalation"}, {"TA0005", "defense-evasion"}, {"TA0006", "credential-access"},
    {"TA0007", "discovery"},      {"TA0008", "lateral-movement"}, {"TA0009", "collection"},
    {"TA0010", "exfiltration"},   {"TA0011", "command-and-control"}, {"TA0040", "impact"},
};

struct Refused {
    std::string reason;
};

// One content or pcre of a buffer, as a Hyperscan expression.
struct Piece {
    std::string regex;
    bool negated = false;
    bool anchored_start = false;  // cannot begin past a known offset (file.data needs it)
    size_t reach = 0;             // with anchored_start: the last byte it can touch
    // content only, until the piece is finished:
    std::string literal;
    bool is_content = false, nocase = false, startswith = false, endswith = false, at_end = false;
    std::optional<size_t> depth, offset, data_after;
};

struct Buffer {
    const BufferMap *map = nullptr;
    std::vector<Piece> pieces;
    std::optional<uint64_t> min_len, max_len;
};

std::string escape_literal(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) {
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' || c == '_' ||
            c == '-' || c == '@' || c == ',' || c == ':' || c == '/' || c == '=' || c == '<' || c == '>' || c == '%' ||
            c == '\'' || c == '"' || c == '!' || c == '&' || c == '~' || c == '`' || c == ';' || c == '#') {
            out += static_cast<char>(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out;
}

// content:"..." bytes: |41 42| hex runs between plain text.
std::string content_bytes(const std::string &text) {
    std::string out;
    bool hex = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '|') {
            hex = !hex;
            continue;
        }
        if (!hex) {
            out += c;
            continue;
        }
        if (c == ' ') continue;
        if (i + 1 >= text.size() || !std::isxdigit(static_cast<unsigned char>(c)) ||
            !std::isxdigit(static_cast<unsigned char>(text[i + 1])))
            throw Refused{"content: bad hex in \"" + text + "\""};
        out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
        ++i;
    }
    if (hex) throw Refused{"content: a |hex| run is not closed in \"" + text + "\""};
    return out;
}

size_t number(const std::string &keyword, const std::string &value) {
    if (value.empty() || value.size() > 9 || !std::all_of(value.begin(), value.end(), ::isdigit))
        throw Refused{keyword + ": \"" + value + "\" is not a number Postern can use (variables and negative values are not)"};
    return std::stoul(value);
}

void finish_content(Piece &p) {
    if (!p.is_content) return;
    std::string core = escape_literal(p.literal);
    if (p.nocase) core = "(?i:" + core + ")";
    else core = "(?:" + core + ")";
    const size_t len = p.literal.size();
    std::string re;
    if (p.startswith || p.depth || p.offset) {
        const size_t from = p.offset.value_or(0);
        if (p.depth && *p.depth < len) throw Refused{"depth: shorter than its content"};
        const bool bounded = p.depth.has_value() || p.startswith;
        const size_t to = p.depth ? from + *p.depth - len : from;  // the last offset the content may start at
        if (p.startswith && (from || p.depth)) throw Refused{"startswith: with offset or depth"};
        re = "\\A";
        if (!p.startswith && !(p.depth && to == 0))
            re += "[\\s\\S]{" + std::to_string(from) + "," + (p.depth ? std::to_string(to) : "") + "}";
        p.anchored_start = bounded;
        p.reach = to + len;
    }
    re += core;
    if (p.data_after) re += "[\\s\\S]{" + std::to_string(*p.data_after) + "}";
    if (p.endswith || p.at_end) re += "\\z";
    p.regex = re;
    p.is_content = false;
}

Piece pcre_piece(const std::string &value) {
    std::string text;
    bool negated = false;
    if (!unquote_option(value, text, negated)) throw Refused{"pcre: the value is not one quoted string"};
    const size_t last = text.rfind('/');
    if (text.size() < 2 || text.front() != '/' || last == 0) throw Refused{"pcre: not /expression/modifiers"};
    std::string inline_flags;
    for (char m : text.substr(last + 1)) {
        if (m == 'i' || m == 's' || m == 'm') inline_flags += m;
        else throw Refused{std::string("pcre: modifier '") + m + "' has no Postern equivalent"};
    }
    Piece p;
    p.negated = negated;
    const std::string body = text.substr(1, last - 1);
    p.regex = (inline_flags.empty() ? "" : "(?" + inline_flags + ")") + body;
    p.anchored_start = body.rfind("^", 0) == 0 && inline_flags.find('m') == std::string::npos;
    p.reach = kBodyPrefix;  // an anchored pcre on file.data is judged on the prefix Postern keeps
    return p;
}

void set_length(Buffer &b, const std::string &keyword, const std::string &value) {
    // bsize: N, <N, >N, N<>M (Suricata 8); isdataat: N or !N without relative.
    if (value.empty()) throw Refused{keyword + ": needs a value"};
    if (keyword == "isdataat") {
        if (!value.empty() && value[0] == '!') b.max_len = number(keyword, value.substr(1));
        else b.min_len = number(keyword, value) + 1;
        return;
    }
    if (const size_t r = value.find("<>"); r != std::string::npos) {
        b.min_len = number(keyword, value.substr(0, r)) + 1, b.max_len = number(keyword, value.substr(r + 2)) - 1;
    } else if (value[0] == '<') {
        b.max_len = number(keyword, value.substr(1)) - 1;
    } else if (value[0] == '>') {
        b.min_len = number(keyword, value.substr(1)) + 1;
    } else {
        b.min_len = b.max_len = number(keyword, value);
    }
}

// "a b, c d,, e" -> {"a b", "c d", "e"}: the items of metadata and threshold, trimmed, empty ones left out.
std::vector<std::string> comma_items(const std::string &v) {
    std::vector<std::string> items;
    size_t at = 0;
    while (at <= v.size()) {
        size_t comma = v.find(',', at);
        if (comma == std::string::npos) comma = v.size();
        std::string item = v.substr(at, comma - at);
        at = comma + 1;
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) items.push_back(std::move(item));
    }
    return items;
}

std::string level_of(int priority) {
    return priority <= 1 ? "high" : priority == 2 ? "medium" : priority == 3 ? "low" : "informational";
}

json conditions_of(const Buffer &b) {
    std::vector<std::string> positive, excludes;
    for (const Piece &p : b.pieces) {
        if (b.map->suricata == "file.data" && !p.negated && (!p.anchored_start || p.reach > kBodyPrefix))
            throw Refused{"file.data: a match not tied to the first " + std::to_string(kBodyPrefix) +
                          " bytes (startswith, depth, or a pcre anchored with ^): Postern keeps only the start of "
                          "each part (email.body_prefix)"};
        (p.negated ? excludes : positive).push_back(p.regex);
    }
    if (b.map->multi && positive.size() > 1) {  // all in one value: every order, joined
        if (positive.size() > 3) throw Refused{std::string(b.map->suricata) + ": more than 3 contents in one buffer"};
        std::vector<std::string> order = positive;
        std::sort(order.begin(), order.end());
        std::string any;
        do {  // an order in which an anchored piece is not at its end cannot match (and Hyperscan refuses it)
            std::string seq;
            bool possible = true;
            for (size_t i = 0; i < order.size(); ++i) {
                const std::string &r = order[i];
                if ((i > 0 && r.rfind("\\A", 0) == 0) ||
                    (i + 1 < order.size() && r.size() >= 2 && r.compare(r.size() - 2, 2, "\\z") == 0))
                    possible = false;
                seq += (i ? "[\\s\\S]*" : "") + r;
            }
            if (possible) any += (any.empty() ? "" : "|") + seq;
        } while (std::next_permutation(order.begin(), order.end()));
        if (any.empty()) throw Refused{std::string(b.map->suricata) + ": two contents anchored at the same end"};
        positive = {"(?:" + any + ")"};
    }
    json out = json::array();
    auto condition = [&](const std::optional<std::string> &pattern) {
        json c = {{"field", std::string(b.map->field)}};
        if (pattern) c["patterns"] = json::array({*pattern});
        if (!excludes.empty()) c["exclude"] = excludes;
        if (b.min_len || b.max_len) {
            json len = json::object();
            if (b.min_len) len["min"] = *b.min_len;
            if (b.max_len) len["max"] = *b.max_len;
            c["length"] = len;
        }
        out.push_back(c);
    };
    if (positive.empty()) condition(std::nullopt);
    for (const auto &r : positive) condition(r);
    return out;
}

struct Converter {
    explicit Converter(const SuricataRule &r) : in(r) { out.line = r.line; }
    const SuricataRule &in;
    ImportedRule out;
    std::vector<Buffer> buffers;
    Buffer *current = nullptr;
    Piece *last = nullptr;  // the content the modifiers apply to
    std::string msg, classtype, metadata_text;
    std::optional<int> priority;
    uint64_t rev = 1;
    json tags = json::array(), references = json::array(), threshold;

    Piece &last_content(const std::string &keyword) {
        if (!last || !last->is_content) throw Refused{keyword + ": not after a content"};
        return *last;
    }

    void buffer(const BufferMap *m) {  // a sticky buffer keyword: later contents apply to it
        if (last) finish_content(*last), last = nullptr;
        auto it = std::find_if(buffers.begin(), buffers.end(), [&](const Buffer &b) { return b.map == m; });
        if (it == buffers.end()) buffers.push_back(Buffer{m, {}, {}, {}}), it = buffers.end() - 1;
        current = &*it;
    }

    void option(const SuricataOption &o) {
        const std::string &k = o.keyword, &v = o.value;
        bool negated = false;
        for (const auto &b : kBuffers)
            if (b.suricata == k) return buffer(&b);
        if (k == "msg") {
            if (!unquote_option(v, msg, negated)) throw Refused{"msg: not one quoted string"};
        } else if (k == "sid") {
            out.sid = number(k, v);
        } else if (k == "rev") {
            rev = number(k, v);
        } else if (k == "gid" || k == "fast_pattern" || k == "flow" || k == "target") {
            // gid: Postern has one; fast_pattern: Hyperscan needs no hint; flow: Postern's fields
            // already belong to an established session and a direction; target: EVE names both.
        } else if (k == "filestore") {
            out.rule["filestore"] = true;
            if (!v.empty())
                out.notes.push_back("filestore:" + v + ": Postern stores the files of the transaction the rule fires in");
        } else if (k == "classtype") {
            classtype = v;
        } else if (k == "priority") {
            priority = static_cast<int>(number(k, v));
        } else if (k == "reference") {
            reference(v);
        } else if (k == "metadata") {
            metadata(v);
        } else if (k == "threshold") {
            set_threshold(v);
        } else if (k == "content") {
            if (!current) throw Refused{"content: outside a buffer Postern has (packet or stream payload matching)"};
            if (last) finish_content(*last);
            std::string text;
            if (!unquote_option(v, text, negated)) throw Refused{"content: not one quoted string"};
            current->pieces.push_back(Piece{});
            last = &current->pieces.back();
            last->is_content = true, last->negated = negated, last->literal = content_bytes(text);
        } else if (k == "nocase") {
            last_content(k).nocase = true;
        } else if (k == "startswith") {
            last_content(k).startswith = true;
        } else if (k == "endswith") {
            last_content(k).endswith = true;
        } else if (k == "depth") {
            last_content(k).depth = number(k, v);
        } else if (k == "offset") {
            last_content(k).offset = number(k, v);
        } else if (k == "isdataat" || k == "bsize") {
            if (!current) throw Refused{k + ": outside a buffer Postern has"};
            const bool relative = v.find(",relative") != std::string::npos || v.find(", relative") != std::string::npos;
            if (k == "isdataat" && relative) {
                Piece &p = last_content(k);
                const std::string n = v.substr(0, v.find(','));
                if (n == "!1") p.at_end = true;
                else if (!n.empty() && n[0] != '!') p.data_after = number(k, n);
                else throw Refused{"isdataat: " + v + " has no Postern equivalent"};
            } else {
                set_length(*current, k, v);
            }
        } else if (k == "pcre") {
            if (!current) throw Refused{"pcre: outside a buffer Postern has"};
            if (last) finish_content(*last), last = nullptr;
            current->pieces.push_back(pcre_piece(v));
        } else if (k == "distance" || k == "within") {
            throw Refused{k + ": contents relative to each other do not map; use one pcre in that buffer"};
        } else {
            throw Refused{"keyword \"" + k + "\" has no Postern equivalent"};
        }
    }

    void reference(const std::string &v) {
        const size_t comma = v.find(',');
        const std::string kind = v.substr(0, comma), what = comma == std::string::npos ? "" : v.substr(comma + 1);
        if (kind == "url") references.push_back(what.rfind("http", 0) == 0 ? what : "https://" + what);
        else if (kind == "cve") references.push_back("https://www.cve.org/CVERecord?id=CVE-" + what);
        else metadata_text += (metadata_text.empty() ? "" : "; ") + std::string("reference ") + v;
    }

    void metadata(const std::string &v) {
        for (const std::string &item : comma_items(v)) {
            const size_t sp = item.find(' ');
            const std::string key = item.substr(0, sp), value = sp == std::string::npos ? "" : item.substr(sp + 1);
            if (key == "mitre_technique_id" && value.size() >= 5 && value[0] == 'T') {
                std::string t = value;
                std::replace(t.begin(), t.end(), '_', '.');
                std::transform(t.begin(), t.end(), t.begin(), ::tolower);
                tags.push_back("attack." + t);
            } else if (key == "mitre_tactic_id") {
                for (const auto &[id, name] : kTactics)
                    if (id == value) tags.push_back("attack." + std::string(name));
            }
            metadata_text += (metadata_text.empty() ? "" : "; ") + item;
        }
    }

    void set_threshold(const std::string &v) {
        std::map<std::string, std::string> kv;  // "type threshold, track by_src, ..."
        for (const std::string &item : comma_items(v))
            if (const size_t sp = item.find(' '); sp != std::string::npos)
                kv[item.substr(0, sp)] = item.substr(item.find_first_not_of(' ', sp));
        if (kv["type"] != "threshold")
            throw Refused{"threshold: type " + kv["type"] + " has no Postern equivalent (Postern's is type threshold)"};
        if (kv["track"] != "by_src" && kv["track"] != "by_dst")
            throw Refused{"threshold: track " + kv["track"] + " has no Postern equivalent (by_src, by_dst)"};
        threshold = {{"count", number("threshold count", kv["count"])},
                     {"seconds", number("threshold seconds", kv["seconds"])},
                     {"track", kv["track"]}};
    }

    void header() {
        static const std::map<std::string, std::string> actions = {
            {"alert", "alert"}, {"drop", "drop"}, {"pass", "pass"}, {"reject", "reject"},
            {"rejectsrc", "reject"}, {"rejectdst", "reject"}, {"rejectboth", "reject"}};
        if (!actions.count(in.action)) throw Refused{"action \"" + in.action + "\" has no Postern equivalent"};
        out.rule["action"] = actions.at(in.action);
        if (in.protocol != "smtp" && in.protocol != "tcp" && in.protocol != "ip" && in.protocol != "any" &&
            in.protocol != "tcp-stream")
            throw Refused{"protocol \"" + in.protocol + "\": Postern follows SMTP, POP3 and IMAP"};
        for (const std::string *s : {&in.source, &in.source_port, &in.destination, &in.destination_port})
            if (*s != "any") {
                out.notes.push_back("addresses and ports (" + in.source + " " + in.source_port + " " + in.direction +
                                    " " + in.destination + " " + in.destination_port +
                                    ") are not converted: the rule applies to every SMTP session");
                break;
            }
    }

    void convert() {
        header();
        for (const SuricataOption &o : in.options) option(o);
        if (last) finish_content(*last);
        if (!out.sid) throw Refused{"sid: missing"};
        if (msg.empty()) throw Refused{"msg: missing"};
        json all = json::array();
        for (const Buffer &b : buffers)
            for (auto &c : conditions_of(b)) all.push_back(c);
        if (all.empty()) throw Refused{"no buffer Postern has (smtp.helo, smtp.mail_from, smtp.rcpt_to, email.*, file.name, file.data)"};
        const Classtype *ct = nullptr;
        for (const auto &c : kClasstypes)
            if (c.name == classtype) ct = &c;
        if (!classtype.empty() && !ct) out.notes.push_back("classtype " + classtype + " is not in Suricata's classification.config; priority 3 assumed");
        json &r = out.rule;
        r["id"] = out.sid;
        r["rev"] = rev;
        r["title"] = msg;
        r["level"] = level_of(priority.value_or(ct ? ct->priority : 3));
        if (ct) r["category"] = std::string(ct->description);
        r["status"] = "experimental";
        r["description"] = "Imported from a Suricata rule (line " + std::to_string(in.line) + "): " + in.text +
                           (metadata_text.empty() ? "" : "\nSuricata metadata: " + metadata_text);
        if (!tags.empty()) r["tags"] = tags;
        if (!references.empty()) r["references"] = references;
        r["protocols"] = json::array({"smtp"});  // Suricata's smtp.* and email.* buffers are SMTP's
        r["match"] = {{"all", all}};
        if (!threshold.is_null()) r["threshold"] = threshold;
    }
};

// What the loader says about one converted rule, or "" when it would load.
std::string loader_errors(const json &rule, const std::string &source) {
    const LoadReport report = validate_rule_text(
        json{{"rules", json::array({rule})}}.dump(-1, ' ', false, json::error_handler_t::replace), source);
    std::string errors;
    for (const auto &d : report.diagnostics)
        if (d.severity == Diagnostic::Severity::Error)
            errors += (errors.empty() ? "" : "; ") + (d.path.empty() ? "" : d.path + ": ") + d.message;
    return errors;
}

}  // namespace

json ImportResult::rule_file(const std::string &source) const {
    json list = json::array();
    for (const auto &r : rules) list.push_back(r.rule);
    return {{"description", "Imported from Suricata rules (" + source + ") by postern rules import"}, {"rules", list}};
}

std::string ImportResult::rule_file_text(const std::string &source, int indent) const {
    return rule_file(source).dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
}

ImportResult import_suricata_rules(std::string_view text, const std::string &source) {
    ImportResult res;
    std::map<uint64_t, size_t> seen;  // sid -> line
    for (const SuricataRule &r : split_suricata_rules(text)) {
        if (!r.error.empty()) {
            res.refused.push_back({r.line, 0, r.error});
            continue;
        }
        Converter c(r);
        for (const auto &o : r.options)  // known before a refusal, so the report can name it
            if (o.keyword == "sid" && !o.value.empty() && std::all_of(o.value.begin(), o.value.end(), ::isdigit) &&
                o.value.size() < 10)
                c.out.sid = std::stoull(o.value);
        try {
            c.convert();
        } catch (const Refused &e) {
            res.refused.push_back({r.line, c.out.sid, e.reason});
            continue;
        }
        if (auto s = seen.find(c.out.sid); s != seen.end()) {
            res.refused.push_back({r.line, c.out.sid, "sid also used by the rule at line " + std::to_string(s->second)});
            continue;
        }
        if (std::string e = loader_errors(c.out.rule, source); !e.empty()) {
            res.refused.push_back({r.line, c.out.sid, "Postern's loader refuses the conversion: " + e});
            continue;
        }
        seen[c.out.sid] = r.line;
        res.rules.push_back(std::move(c.out));
    }
    return res;
}

}  // namespace postern::rules::import
