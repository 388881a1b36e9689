// Structured header values (Content-Type, Content-Disposition): the leading token and the
// `; name=value` parameters, quoted or not. RFC 2231 names (`filename*`, `filename*0*`) are
// returned as written; the caller joins and decodes them.
#pragma once

#include <string_view>

namespace postern::proto {

struct HeaderParam {
    std::string_view name;
    std::string_view value;  // without the quotes; backslash escapes left in
    bool quoted = false;
};

// "text/plain; charset=utf-8" -> "text/plain" (trimmed, case kept).
std::string_view header_token(std::string_view value);

class HeaderParamIterator {
public:
    explicit HeaderParamIterator(std::string_view value);  // the whole header value
    bool next(HeaderParam &out);

private:
    std::string_view rest_;
};

// For a parameter named `base`, `base*N` or `base*N*` or `base*`: true, with the segment index
// (0 for the plain forms) and whether the value is RFC 2231 extended (charset'lang'%XX).
bool match_param_name(std::string_view name, std::string_view base, unsigned &segment, bool &extended);

}  // namespace postern::proto
