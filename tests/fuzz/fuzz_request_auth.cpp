// Fuzzes the credential headers and the authorizer: the input is a request head's header lines
// ("name: value\n"…); Bearer, Basic (base64 decoding) and X-API-Key are parsed, the token looked up and the
// rate limiter charged from an address taken from the input's first bytes.

#include <QCoreApplication>
#include <QTemporaryDir>

#include <cstdint>

#include "api/requestauthorizer.h"
#include "auth/tokenregistry.h"

namespace {
// Live until the process ends and never destroyed: libFuzzer leaves through exit(), after which Qt's own
// globals are gone and a QCoreApplication destructor would crash.
QTemporaryDir *g_dir = nullptr;
fg::RequestAuthorizer *g_authorizer = nullptr;
} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    new QCoreApplication(*argc, *argv); // the registry's timers
    g_dir = new QTemporaryDir;
    fg::ApiToken t;
    t.id = 1;
    t.name = QStringLiteral("fuzz");
    t.sha256 = fg::tokenHash("fg_fuzz");
    t.scopes = fg::TokenScope::Ingest;
    auto *tokens = new fg::TokenRegistry(g_dir->filePath(QStringLiteral("f.tokens.json")), std::vector<fg::ApiToken>{t},
                                         fg::TokenFile::Stamp{});
    fg::RequestAuthorizer::Options options;
    options.mode = fg::AuthMode::Tokens;
    options.ratePerSecond = 10;
    options.burst = 20;
    options.limitLoopback = true;
    options.maxBuckets = 64;
    g_authorizer = new fg::RequestAuthorizer(options, tokens);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    fg::HttpRequest r;
    r.method = size % 2 ? "GET" : "POST";
    r.path = size % 3 ? "/api/ingest/logs" : "/api/rules";
    quint32 v4 = 0;
    for (size_t i = 0; i < std::min<size_t>(size, 4); ++i)
        v4 = (v4 << 8) | data[i];
    r.peer = QHostAddress(v4);
    for (const QByteArray &line : input.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            r.headers.emplace_back(line.left(colon).toLower(), line.mid(colon + 1).trimmed());
    }
    (void)fg::RequestAuthorizer::presentedSecret(r);
    // The scopes the route table gives these two routes.
    const fg::TokenScope scope = r.path == "/api/rules" ? (r.method == "GET" ? fg::TokenScope::Read : fg::TokenScope::Admin)
                                                        : fg::TokenScope::Ingest;
    (void)g_authorizer->admit(r, scope);
    return 0;
}
