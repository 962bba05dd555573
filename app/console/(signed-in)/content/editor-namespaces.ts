/** The editors' client components translate console texts, validation keys and the rule summary's sentences. */
export const EDITOR_NAMESPACES = ['console', 'validation', 'personalization'] as const;
