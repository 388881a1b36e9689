#include "control/auth.hpp"

#include <cstdlib>
#include <fstream>

#include "control/problem.hpp"

namespace postern::control {

namespace {
std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return s.substr(i);
}
}  // namespace

TokenLoad load_token(const config::Api &api) {
    TokenLoad r;
    if (!api.token_file.empty()) {
        std::ifstream in(api.token_file);
        if (!in) return r.error = "api.token_file: cannot read " + api.token_file, r;
        std::getline(in, r.token);
        r.token = trim(r.token);
        if (r.token.empty()) r.error = "api.token_file: " + api.token_file + " has no token on its first line";
    } else if (!api.token_env.empty()) {
        const char *v = std::getenv(api.token_env.c_str());
        r.token = v ? trim(v) : "";
        if (r.token.empty()) r.error = "api.token_env: environment variable " + api.token_env + " is not set or empty";
    }
    return r;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const size_t n = a.size() < b.size() ? a.size() : b.size();
    for (size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::optional<Response> check_bearer(std::string_view configured, std::string_view authorization) {
    if (configured.empty())
        return problem(403, "mutating calls are disabled: no API token is configured (api.token_file or api.token_env)");
    constexpr std::string_view kScheme = "Bearer ";
    if (authorization.empty()) {
        Response r = problem(401, "this call needs an Authorization: Bearer <token> header");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
    }
    if (authorization.size() <= kScheme.size() || authorization.substr(0, kScheme.size()) != kScheme) {
        Response r = problem(401, "Authorization must use the Bearer scheme");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
    }
    if (!constant_time_equal(authorization.substr(kScheme.size()), configured))
        return problem(403, "the bearer token is not valid");
    return std::nullopt;
}

}  // namespace postern::control
