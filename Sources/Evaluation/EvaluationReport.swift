import Foundation

/// `report.html`: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) that compares
/// the policies of an evaluation: the summary table, the reward distributions, each run's training curves
/// and the samples side by side. Every text from a model or a file is escaped, and the page is also
/// well-formed XML (polyglot HTML), so a test can parse it whole.
package struct EvaluationReport {
    /// What was evaluated and how, for the page's header.
    package struct Setting: Sendable {
        /// Where the prompts came from, how many, and how they were sampled.
        package var prompts: String, sampling: String
        /// What the reward, the harmlessness score and the KL's reference are.
        package var reward: String, harmlessness: String, reference: String
        /// When the evaluation ran.
        package var date: String

        package init(prompts: String, sampling: String, reward: String, harmlessness: String, reference: String, date: String) {
            self.prompts = prompts; self.sampling = sampling; self.reward = reward
            self.harmlessness = harmlessness; self.reference = reference; self.date = date
        }
    }

    package let setting: Setting
    /// One summary per policy, the baseline first.
    package let summaries: [PolicySummary]
    /// Each policy's responses, in prompt order (the same prompts for all).
    package let responses: [[EvaluatedResponse]]
    /// The training curves of the runs given.
    package let runs: [RunCurves]
    /// Prompts shown in the samples table.
    package let samples: Int

    package init(setting: Setting, summaries: [PolicySummary], responses: [[EvaluatedResponse]], runs: [RunCurves], samples: Int) {
        self.setting = setting; self.summaries = summaries; self.responses = responses; self.runs = runs; self.samples = samples
    }

    /// The page.
    package var html: String {
        var page = """
        <!DOCTYPE html>
        <html lang="en" xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>rlhf eval: \(e(summaries.map(\.policy).joined(separator: " vs ")))</title>
        <style>\(Self.style)</style></head><body>
        <h1>Evaluation: \(e(summaries.map(\.policy).joined(separator: " vs ")))</h1>
        <dl class="setting">
        <dt>prompts</dt><dd>\(e(setting.prompts))</dd><dt>sampling</dt><dd>\(e(setting.sampling))</dd>
        <dt>reward</dt><dd>\(e(setting.reward))</dd><dt>harm score</dt><dd>\(e(setting.harmlessness))</dd>
        <dt>KL reference</dt><dd>\(e(setting.reference))</dd><dt>date</dt><dd>\(e(setting.date))</dd>
        </dl>

        """
        page += summaryTable + distributions + curves + sampleTable
        page += "<footer>Written by <code>rlhf eval</code>. Means are shown ± one standard error.</footer>\n</body></html>\n"
        return page
    }

    private func e(_ text: String) -> String { SVGChart.escape(text) }

    private func number(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    private func withError(_ mean: Double?, _ error: Double?) -> String {
        guard let mean else { return "–" }
        return "\(number(mean)) <span class=\"se\">± \(number(error))</span>"
    }

    private var summaryTable: String {
        var rows = ""
        for s in summaries {
            let gainCell = s.gainText ?? "baseline"
            rows += "<tr><th scope=\"row\">\(e(s.policy))</th><td>\(withError(s.rewardMean, s.rewardStderr))</td><td>\(e(gainCell))</td>"
            rows += "<td>\(withError(s.klMean, s.klStderr))</td><td>\(withError(s.sentimentMean, s.sentimentStderr))</td>"
            rows += "<td>\(withError(s.harmlessnessMean, s.harmlessnessStderr))</td><td>\(number(s.distinct1))</td><td>\(number(s.distinct2))</td>"
            rows += "<td>\(number(s.lengthMean, digits: 1))</td><td>\(number(s.eosShare * 100, digits: 0))%</td></tr>\n"
        }
        return """
        <h2>Summary</h2>
        <div class="scroll"><table class="summary"><thead><tr><th>policy</th><th>reward</th><th>gain over the first</th><th>KL</th>
        <th>sentiment (VADER)</th><th>harmlessness</th><th>distinct-1</th><th>distinct-2</th><th>length (tokens)</th><th>ends with EOS</th></tr></thead>
        <tbody>
        \(rows)</tbody></table></div>
        <p class="paths">\(summaries.map { "<code>\(e($0.policy))</code>: \(e($0.path)), \($0.count) responses" }.joined(separator: "<br/>"))</p>

        """
    }

    private var distributions: String {
        guard let first = summaries.first else { return "" }
        let chart = SVGChart.histogram(summaries.map { ($0.policy, $0.rewardHistogram.counts) }, lower: first.rewardHistogram.lower,
                                       upper: first.rewardHistogram.upper, title: "reward per response")
        return "<h2>Reward distributions</h2>\n<figure class=\"chart wide\">\(chart)</figure>\n"
    }

    private var curves: String {
        guard !runs.isEmpty else { return "" }
        var section = "<h2>Training curves</h2>\n<div class=\"charts\">"
        let charts: [(keys: [String], title: String, reference: Bool)] = [
            (["env/reward_mean", "eval/reward_mean"], "reward", false), (["objective/kl"], "KL (dashed: its target)", true),
            (["objective/entropy"], "entropy", false), (["ppo/loss/value"], "value loss", false),
            (["ppo/policy/clipfrac"], "clip fraction", false),
        ]
        for chart in charts {
            var series: [SVGChart.Series] = []
            for run in runs {
                for key in chart.keys {
                    guard let points = run.series[key], !points.isEmpty else { continue }
                    let label = RunCurves.plotted.first { $0.key == key }?.title ?? key
                    series.append(SVGChart.Series(name: runs.count > 1 || chart.keys.count > 1 ? "\(run.name): \(label)" : run.name, points: points))
                }
            }
            guard !series.isEmpty else { continue }
            let target = chart.reference ? runs.compactMap(\.klTarget).first : nil
            section += "<figure class=\"chart\">\(SVGChart.lines(series, title: chart.title, width: 360, height: 220, reference: target))</figure>"
        }
        return section + "</div>\n"
    }

    private var sampleTable: String {
        let shown = min(samples, responses.map(\.count).min() ?? 0)
        guard shown > 0 else { return "" }
        var head = "<tr><th>prompt</th>"
        for s in summaries { head += "<th>\(e(s.policy))</th>" }
        var rows = ""
        for i in 0..<shown {
            rows += "<tr><td class=\"prompt\">\(e(responses[0][i].prompt))</td>"
            for policy in responses {
                let r = policy[i]
                let ending = r.endedWithEOS ? "" : " <span class=\"cut\">(cut at \(r.tokens) tokens)</span>"
                rows += "<td><div class=\"text\">\(e(r.response))</div><div class=\"score\">reward \(number(r.reward))\(ending)</div></td>"
            }
            rows += "</tr>\n"
        }
        return """
        <h2>Samples</h2>
        <p>The first \(shown) prompts and each policy's response (sampled with the same seed for every policy).</p>
        <div class="scroll"><table class="samples"><thead>\(head)</tr></thead><tbody>
        \(rows)</tbody></table></div>

        """
    }

    static let style = """
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
    h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
    dl.setting{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
    .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:.35rem .5rem;vertical-align:top;text-align:left}
    table.summary td{white-space:nowrap}.se{color:#666;font-size:.85em}.paths{color:#555;font-size:.85em;word-break:break-all}
    table.samples td{min-width:12rem}.text{white-space:pre-wrap;word-break:break-word}.score{color:#555;font-size:.85em;margin-top:.3rem}.cut{color:#888}
    td.prompt{font-style:italic;white-space:pre-wrap;word-break:break-word}
    .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}figure.chart{margin:0}figure.wide{max-width:40rem}figure.chart svg{width:100%;height:auto}
    footer{margin-top:2rem;color:#666;font-size:.85em}
    @media print{body{max-width:none;font-size:11pt}.scroll{overflow:visible}h2{break-after:avoid}tr,figure{break-inside:avoid}}
    @media (max-width:40rem){body{margin:.5rem auto;font-size:14px}table.samples td{min-width:9rem}}
    """
}
