/**
 * The "Deploy to Portico" button for READMEs, served by Portico itself so the badge works
 * offline and on private networks.
 */
export const DEPLOY_BADGE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="132" height="20" role="img" aria-label="Deploy to Portico">
<title>Deploy to Portico</title>
<rect width="132" height="20" rx="3" fill="#344054"/>
<rect x="58" width="74" height="20" rx="3" fill="#3559e0"/>
<rect x="58" width="6" height="20" fill="#3559e0"/>
<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">
<text x="29" y="14">Deploy to</text>
<text x="95" y="14">Portico</text>
</g>
</svg>
`;
