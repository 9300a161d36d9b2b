#include "detectcommand.h"

#include <QCommandLineParser>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "analysis/detect/seriesscorer.h"

namespace {

void fail(const QString &message) { std::fprintf(stderr, "flowguard detect: %s\n", qPrintable(message)); }

// Returns false with a message on unreadable input or rows without a numeric second column.
bool detectFile(const QString &inputPath, const QString &outputPath, const fg::SeriesScorer::Params &params,
                QString *error)
{
    QFile in(inputPath);
    if (!in.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("cannot read %1: %2").arg(inputPath, in.errorString());
        return false;
    }
    QDir().mkpath(QFileInfo(outputPath).absolutePath());
    QFile out(outputPath);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        *error = QStringLiteral("cannot write %1: %2").arg(outputPath, out.errorString());
        return false;
    }
    QTextStream reader(&in);
    QTextStream writer(&out);
    writer << "timestamp,value,anomaly_score\n";
    fg::SeriesScorer scorer(params);
    int line = 0;
    while (!reader.atEnd()) {
        const QString row = reader.readLine();
        ++line;
        if (row.trimmed().isEmpty())
            continue;
        const int comma = row.indexOf(QLatin1Char(','));
        bool ok = false;
        const double value = comma > 0 ? row.mid(comma + 1).section(QLatin1Char(','), 0, 0).trimmed().toDouble(&ok) : 0;
        if (!ok) {
            if (line == 1)
                continue; // header
            *error = QStringLiteral("%1:%2: expected timestamp,value").arg(inputPath).arg(line);
            return false;
        }
        // Rows whose timestamp does not parse are still scored, without the seasonal profiles.
        const auto at = fg::parseTimeText(row.left(comma).trimmed().remove(QLatin1Char('"')).toStdString());
        writer << row.left(comma) << ',' << row.mid(comma + 1).section(QLatin1Char(','), 0, 0).trimmed() << ','
               << QString::number(scorer.score(value, at.value_or(fg::SeriesDetector::kNoTime)), 'g', 8) << '\n';
    }
    return true;
}

// "--without cusum,seasonal": the parameters with those parts off, or an error naming the unknown one.
bool parseWithout(const QString &list, fg::SeriesScorer::Params *params, QString *error)
{
    const std::pair<const char *, bool *> names[] = {
        {"residual", &params->tests.residual}, {"level-shift", &params->tests.levelShift},
        {"ewma", &params->tests.ewma},         {"cusum", &params->tests.cusum},
        {"seasonal", &params->tests.seasonal}, {"record", &params->record},
        {"range", &params->range}};
    for (const QString &item : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto it = std::find_if(std::begin(names), std::end(names),
                                     [&](const auto &n) { return item.trimmed() == QLatin1String(n.first); });
        if (it == std::end(names)) {
            *error = QStringLiteral("--without: unknown part \"%1\" (residual, level-shift, ewma, cusum, seasonal, "
                                    "record, range)")
                         .arg(item.trimmed());
            return false;
        }
        *it->second = false;
    }
    return true;
}

} // namespace

int runDetectCommand(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Score timestamp,value CSV series with FlowGuard's detectors."));
    p.addHelpOption();
    p.addOption({QStringLiteral("input"), QStringLiteral("One CSV file with a header and timestamp,value rows."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("nab-root"), QStringLiteral("A Numenta Anomaly Benchmark checkout: every CSV under DIR/data/."),
                 QStringLiteral("DIR")});
    p.addOption({QStringLiteral("output"), QStringLiteral("Output file (with --input) or directory (with --nab-root)."),
                 QStringLiteral("PATH")});
    p.addOption({QStringLiteral("without"),
                 QStringLiteral("Switch parts off to measure their worth: comma-separated residual, level-shift, "
                                "ewma, cusum, seasonal (the tests), record (alert only on the strongest evidence of "
                                "the horizon and above the last alert's), range (alert on a value outside the range so far)."),
                 QStringLiteral("LIST")});
    p.process(arguments);
    const QString output = p.value(QStringLiteral("output"));
    if (output.isEmpty() || p.isSet(QStringLiteral("input")) == p.isSet(QStringLiteral("nab-root"))) {
        fail(QStringLiteral("give --output and exactly one of --input FILE or --nab-root DIR"));
        return 2;
    }
    QString error;
    fg::SeriesScorer::Params params;
    if (!parseWithout(p.value(QStringLiteral("without")), &params, &error)) {
        fail(error);
        return 2;
    }
    if (p.isSet(QStringLiteral("input"))) {
        if (!detectFile(p.value(QStringLiteral("input")), output, params, &error)) {
            fail(error);
            return 1;
        }
        return 0;
    }
    const QDir data(QFileInfo(p.value(QStringLiteral("nab-root")) + QStringLiteral("/data")).absoluteFilePath());
    if (!data.exists()) {
        fail(QStringLiteral("%1 does not exist").arg(data.path()));
        return 1;
    }
    int files = 0;
    QDirIterator it(data.path(), {QStringLiteral("*.csv")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        if (!detectFile(file, QDir(output).filePath(data.relativeFilePath(file)), params, &error)) {
            fail(error);
            return 1;
        }
        ++files;
    }
    std::fprintf(stderr, "flowguard detect: scored %d files into %s\n", files, qPrintable(output));
    return 0;
}
