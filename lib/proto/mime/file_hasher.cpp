#include "proto/mime/file_hasher.hpp"

#include "util/hex.hpp"

// The low-level digest API is deprecated in OpenSSL 3 in favour of EVP, which allocates per init.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/sha.h>

namespace postern::proto {

namespace {
static_assert(sizeof(MD5_CTX) <= 96 && sizeof(SHA_CTX) <= 96 && sizeof(SHA256_CTX) <= 112);
MD5_CTX *md5(unsigned char *p) { return reinterpret_cast<MD5_CTX *>(p); }
SHA_CTX *sha1(unsigned char *p) { return reinterpret_cast<SHA_CTX *>(p); }
SHA256_CTX *sha256(unsigned char *p) { return reinterpret_cast<SHA256_CTX *>(p); }
}  // namespace

void digest_hex(const uint8_t *digest, size_t n, char *out) { util::hex_encode(digest, n, out); }

void FileHasher::begin() {
    active_ = hashes_ != 0;
    if (hashes_ & kMd5) MD5_Init(md5(md5_));
    if (hashes_ & kSha1) SHA1_Init(sha1(sha1_));
    if (hashes_ & kSha256) SHA256_Init(sha256(sha256_));
}

void FileHasher::hash(const void *data, size_t n) {
    if (hashes_ & kMd5) MD5_Update(md5(md5_), data, n);
    if (hashes_ & kSha1) SHA1_Update(sha1(sha1_), data, n);
    if (hashes_ & kSha256) SHA256_Update(sha256(sha256_), data, n);
}

FileDigests FileHasher::finish() {
    FileDigests d;
    if (!active_) return d;
    active_ = false;
    if (hashes_ & kMd5) MD5_Final(d.md5, md5(md5_));
    if (hashes_ & kSha1) SHA1_Final(d.sha1, sha1(sha1_));
    if (hashes_ & kSha256) SHA256_Final(d.sha256, sha256(sha256_));
    d.present = hashes_;
    return d;
}

}  // namespace postern::proto
