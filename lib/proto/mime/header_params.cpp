#include "proto/mime/header_params.hpp"

#include "proto/common/ascii.hpp"

namespace postern::proto {

std::string_view header_token(std::string_view value) {
    const size_t semi = value.find(';');
    return ascii::trim(value.substr(0, semi));
}

HeaderParamIterator::HeaderParamIterator(std::string_view value) {
    const size_t semi = value.find(';');
    rest_ = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
}

bool HeaderParamIterator::next(HeaderParam &out) {
    while (!rest_.empty()) {
        while (!rest_.empty() && (ascii::is_space(rest_.front()) || rest_.front() == ';')) rest_.remove_prefix(1);
        if (rest_.empty()) return false;
        const size_t eq = rest_.find_first_of("=;");
        if (eq == std::string_view::npos || rest_[eq] == ';') {  // a parameter without a value
            rest_ = eq == std::string_view::npos ? std::string_view{} : rest_.substr(eq);
            continue;
        }
        out.name = ascii::trim(rest_.substr(0, eq));
        rest_.remove_prefix(eq + 1);
        while (!rest_.empty() && ascii::is_wsp(rest_.front())) rest_.remove_prefix(1);
        if (!rest_.empty() && rest_.front() == '"') {
            size_t i = 1;
            while (i < rest_.size() && rest_[i] != '"') i += rest_[i] == '\\' ? 2 : 1;
            if (i > rest_.size()) i = rest_.size();
            out.value = rest_.substr(1, i - 1);
            out.quoted = true;
            rest_ = i < rest_.size() ? rest_.substr(i + 1) : std::string_view{};
        } else {
            const size_t end = rest_.find(';');
            out.value = ascii::trim(rest_.substr(0, end));
            out.quoted = false;
            rest_ = end == std::string_view::npos ? std::string_view{} : rest_.substr(end);
        }
        if (!out.name.empty()) return true;
    }
    return false;
}

bool match_param_name(std::string_view name, std::string_view base, unsigned &segment, bool &extended) {
    if (!ascii::istarts_with(name, base)) return false;
    std::string_view rest = name.substr(base.size());
    segment = 0;
    extended = false;
    if (rest.empty()) return true;
    if (rest.front() != '*') return false;
    rest.remove_prefix(1);
    if (rest.empty()) {  // name*=charset'lang'value
        extended = true;
        return true;
    }
    if (rest.back() == '*') {
        extended = true;
        rest.remove_suffix(1);
    }
    uint64_t n = 0;
    if (!ascii::parse_u64(rest, n) || n > 1000) return false;
    segment = static_cast<unsigned>(n);
    return true;
}

}  // namespace postern::proto
