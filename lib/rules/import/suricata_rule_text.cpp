#include "suricata_rule_text.hpp"

#include <sstream>

namespace postern::rules::import {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The options between the parentheses: "keyword:value;" or "keyword;", values may quote ';'.
bool split_options(std::string_view body, std::vector<SuricataOption> &out, std::string &error) {
    size_t i = 0;
    while (i < body.size()) {
        std::string item;
        bool quoted = false;
        for (; i < body.size(); ++i) {
            const char c = body[i];
            if (c == '\\' && i + 1 < body.size()) {
                item += c, item += body[++i];
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c == ';' && !quoted) break;
            item += c;
        }
        if (quoted) return error = "an option's quoted value is not closed", false;
        if (i >= body.size() && !trim(item).empty()) return error = "the last option does not end with ';'", false;
        ++i;  // past ';'
        const std::string_view it = trim(item);
        if (it.empty()) continue;
        const size_t colon = it.find(':');
        SuricataOption opt;
        opt.keyword = std::string(trim(it.substr(0, colon)));
        if (colon != std::string_view::npos) opt.value = std::string(trim(it.substr(colon + 1)));
        out.push_back(std::move(opt));
    }
    return true;
}

void parse_rule(SuricataRule &r) {
    const size_t open = r.text.find('(');
    const size_t close = r.text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) {
        r.error = "not a rule: no '(' ... ')' with the options";
        return;
    }
    std::istringstream header(r.text.substr(0, open));
    std::string extra;
    header >> r.action >> r.protocol >> r.source >> r.source_port >> r.direction >> r.destination >> r.destination_port;
    if (r.destination_port.empty() || (header >> extra))
        r.error = "the header is not \"action protocol source port direction destination port\"";
    else if (r.direction != "->" && r.direction != "<>" && r.direction != "=>")
        r.error = "the direction \"" + r.direction + "\" is not ->, <> or =>";
    else if (!trim(std::string_view(r.text).substr(close + 1)).empty())
        r.error = "text after the options' ')'";
    else
        split_options(std::string_view(r.text).substr(open + 1, close - open - 1), r.options, r.error);
}

}  // namespace

std::vector<SuricataRule> split_suricata_rules(std::string_view text) {
    std::vector<SuricataRule> rules;
    std::string pending;
    size_t pending_line = 0, line_no = 0;
    size_t at = 0;
    while (at <= text.size()) {
        const size_t nl = text.find('\n', at);
        std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
        at = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++line_no;
        line = trim(line);
        if (pending.empty() && (line.empty() || line.front() == '#')) continue;
        if (pending.empty()) pending_line = line_no;
        const bool continues = !line.empty() && line.back() == '\\';
        pending += continues ? line.substr(0, line.size() - 1) : line;
        if (continues) continue;
        SuricataRule r;
        r.line = pending_line;
        r.text = std::move(pending);
        pending.clear();
        parse_rule(r);
        rules.push_back(std::move(r));
    }
    return rules;
}

bool unquote_option(std::string_view value, std::string &out, bool &negated) {
    value = trim(value);
    negated = !value.empty() && value.front() == '!';
    if (negated) value = trim(value.substr(1));
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') return false;
    out.clear();
    for (size_t i = 1; i + 1 < value.size(); ++i) {
        // Suricata's escapes in quoted values: \" \; \\ (and \:); any other backslash belongs to
        // the value (a pcre's \s).
        const char next = i + 2 < value.size() ? value[i + 1] : '\0';
        if (value[i] == '\\' && (next == '"' || next == ';' || next == '\\' || next == ':')) ++i;
        else if (value[i] == '"') return false;
        out += value[i];
    }
    return true;
}

}  // namespace postern::rules::import
