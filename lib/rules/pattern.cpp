#include "rules/pattern.hpp"

#include <hs/hs.h>

#include <cstdlib>

namespace postern::rules {

unsigned hs_flags(const PatternSpec &p) {
    unsigned f = HS_FLAG_SINGLEMATCH;
    if (p.flags & kCaseless) f |= HS_FLAG_CASELESS;
    if (p.flags & kDotall) f |= HS_FLAG_DOTALL;
    if (p.flags & kMultiline) f |= HS_FLAG_MULTILINE;
    if (p.flags & kUtf8) f |= HS_FLAG_UTF8;
    if (p.flags & kUcp) f |= HS_FLAG_UCP;
    return f;
}

std::string hs_expression(const PatternSpec &p) {
    std::string e = p.expression;
    if (p.flags & (kAnchorStart | kAnchorEnd)) e = "(?:" + e + ")";
    if (p.flags & kAnchorStart) e = "\\A" + e;
    if (p.flags & kAnchorEnd) e += "\\z";
    return e;
}

std::optional<std::string> check_pattern(const PatternSpec &p) {
    if (p.expression.empty()) return "empty expression";
    if (p.expression.find('\0') != std::string::npos) return "NUL byte in the expression (write \\x00)";
    const std::string e = hs_expression(p);
    hs_expr_info_t *info = nullptr;
    hs_compile_error_t *err = nullptr;
    // Without SINGLEMATCH: hs_expression_info takes only flags that change the expression.
    if (hs_expression_info(e.c_str(), hs_flags(p) & ~HS_FLAG_SINGLEMATCH, &info, &err) != HS_SUCCESS) {
        std::string msg = err && err->message ? err->message : "rejected by Hyperscan";
        hs_free_compile_error(err);
        return msg;
    }
    const bool empty = info->min_width == 0;
    std::free(info);  // allocated with the misc allocator, malloc by default
    if (empty) return "can match an empty string, so it would match every value";
    return std::nullopt;
}

}  // namespace postern::rules
