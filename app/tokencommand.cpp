#include "tokencommand.h"

#include <QCommandLineParser>

#include <cstdio>

#include "auth/tokenfile.h"
#include "commandsupport.h"

namespace {

constexpr const char *kTool = "token";

QString when(fg::TimeNs t)
{
    return t ? QString::fromStdString(fg::formatIsoMs(t)) : QStringLiteral("never");
}

int create(const QCommandLineParser &p, fg::TokenFile &file)
{
    if (!p.isSet(QStringLiteral("name")) || !p.isSet(QStringLiteral("scope"))) {
        commandError(kTool, QStringLiteral("create needs --name NAME and --scope ingest[,read,admin]"));
        return 2;
    }
    QString bad;
    const auto scopes = fg::parseScopes(p.value(QStringLiteral("scope")), &bad);
    if (!scopes) {
        commandError(kTool, QStringLiteral("invalid --scope '%1'%2: expected ingest, read and/or admin, comma-separated")
                                .arg(p.value(QStringLiteral("scope")),
                                     bad.isEmpty() ? QString() : QStringLiteral(" ('%1' is not a scope)").arg(bad)));
        return 2;
    }
    QString error;
    fg::ApiToken token;
    const auto secret = file.create(p.value(QStringLiteral("name")), *scopes, &token, &error);
    if (!secret) {
        commandError(kTool, error);
        return 1;
    }
    // The secret alone on stdout, so that TOKEN=$(flowguard token create …) works.
    std::fprintf(stdout, "%s\n", secret->constData());
    std::fflush(stdout);
    std::fprintf(stderr, "flowguard token: created token %lld '%s' (%s) in %s; the secret above is shown only once\n",
                 static_cast<long long>(token.id), qPrintable(token.name), qPrintable(fg::scopeNames(token.scopes).join(QLatin1Char(','))),
                 qPrintable(file.path()));
    return 0;
}

int list(fg::TokenFile &file)
{
    QString error;
    const auto tokens = file.load(&error);
    if (!tokens) {
        commandError(kTool, error);
        return 1;
    }
    std::fprintf(stdout, "%-6s %-24s %-14s %-18s %-24s %s\n", "ID", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED");
    for (const fg::ApiToken &t : *tokens)
        std::fprintf(stdout, "%-6lld %-24s %-14s %-18s %-24s %s\n", static_cast<long long>(t.id), qPrintable(t.name),
                     qPrintable(t.prefix), qPrintable(fg::scopeNames(t.scopes).join(QLatin1Char(','))),
                     qPrintable(when(t.createdAt)), qPrintable(when(t.lastUsedAt)));
    std::fflush(stdout);
    return 0;
}

int revoke(const QStringList &args, fg::TokenFile &file)
{
    if (args.size() != 1) {
        commandError(kTool, QStringLiteral("revoke needs one token id or name"));
        return 2;
    }
    QString error;
    fg::ApiToken token;
    if (!file.revoke(args.first(), &token, &error)) {
        commandError(kTool, error);
        return 1;
    }
    std::fprintf(stderr, "flowguard token: revoked token %lld '%s'\n", static_cast<long long>(token.id), qPrintable(token.name));
    return 0;
}

} // namespace

int runTokenCommand(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Manage API tokens.\n"
        "  create --name NAME --scope ingest[,read,admin]   prints the new token once\n"
        "  list                                             id, name, prefix, scopes, created, last used\n"
        "  revoke ID|NAME"));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("create, list or revoke"));
    p.addOption({QStringLiteral("db"), QStringLiteral("Database (default: as flowguard resolves it)."), QStringLiteral("PATH")});
    p.addOption({QStringLiteral("name"), QStringLiteral("Name of the new token."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("scope"), QStringLiteral("Scopes of the new token: ingest, read, admin (implies all)."),
                 QStringLiteral("LIST")});
    p.process(arguments);
    QStringList args = p.positionalArguments();
    const QString action = args.isEmpty() ? QString() : args.takeFirst();
    fg::TokenFile file(fg::TokenFile::pathFor(resolvedDatabase(p)));
    if (action == QLatin1String("create") && args.isEmpty())
        return create(p, file);
    if (action == QLatin1String("list") && args.isEmpty())
        return list(file);
    if (action == QLatin1String("revoke"))
        return revoke(args, file);
    commandError(kTool, QStringLiteral("expected create, list or revoke (see flowguard token --help)"));
    return 2;
}
