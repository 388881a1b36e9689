#include "control/auth.hpp"

#include <sys/stat.h>

#include <cstdio>
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
        struct stat st {};
        if (::stat(api.token_file.c_str(), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH))) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
            r.warning = "api.token_file: " + api.token_file + " is readable or writable by other users (mode " + mode +
                        "); chmod 600 it";
        }
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
    if (authorization.empty()) {
        Response r = problem(401, "this call needs an Authorization: Bearer <token> header");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
    }
    // The scheme is case-insensitive (RFC 9110 §11.1); spaces before the token are allowed.
    constexpr std::string_view kScheme = "bearer";
    bool bearer = authorization.size() > kScheme.size() && (authorization[kScheme.size()] == ' ');
    for (size_t i = 0; bearer && i < kScheme.size(); ++i)
        bearer = (authorization[i] | 0x20) == kScheme[i];
    if (!bearer) {
        Response r = problem(401, "Authorization must use the Bearer scheme");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
    }
    std::string_view given = authorization.substr(kScheme.size());
    while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
    if (!constant_time_equal(given, configured))
        return problem(403, "the bearer token is not valid");
    return std::nullopt;
}

}  // namespace postern::control
