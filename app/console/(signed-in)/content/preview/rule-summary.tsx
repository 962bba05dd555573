import type { DescribedRule } from '@/lib/personalization/describe';

/** A rule in plain words: nested lists, each group introduced by how its conditions combine. */
export function RuleSummary({ rule, labels }: { rule: DescribedRule; labels: Record<'all' | 'any' | 'none', string> }) {
  if (rule.kind === 'condition') return <span>{rule.text}</span>;
  return (
    <div>
      <span className="font-medium">{labels[rule.kind]}</span>
      <ul className="ml-5 list-disc">
        {rule.children.map((child, i) => (
          <li key={i}>
            <RuleSummary rule={child} labels={labels} />
          </li>
        ))}
      </ul>
    </div>
  );
}
