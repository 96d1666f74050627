// Small stroke icons drawn inline (no icon font, no network). Decorative by default: the word next
// to each icon carries the meaning, so screen readers skip them.
import type { SVGProps } from "react";

type TIconProps = SVGProps<SVGSVGElement> & { size?: number };

function Icon({ size = 14, children, ...rest }: TIconProps & { children: React.ReactNode }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.6}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

export const IconCritical = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M5.3 1.5h5.4l3.8 3.8v5.4l-3.8 3.8H5.3l-3.8-3.8V5.3z" />
    <path d="M8 4.8v3.7M8 11.1v.1" />
  </Icon>
);
export const IconError = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="8" r="6.5" />
    <path d="M5.7 5.7l4.6 4.6M10.3 5.7l-4.6 4.6" />
  </Icon>
);
export const IconWarning = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M8 1.8l6.6 11.7H1.4z" />
    <path d="M8 6.2v3.2M8 11.5v.1" />
  </Icon>
);
export const IconCheck = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="8" r="6.5" />
    <path d="M5 8.2l2 2 4-4.2" />
  </Icon>
);
export const IconClock = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="8" r="6.5" />
    <path d="M8 4.5V8l2.3 1.5" />
  </Icon>
);
export const IconTick = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M3 8.5l3 3 7-7" />
  </Icon>
);
export const IconCopy = (p: TIconProps) => (
  <Icon {...p}>
    <rect x="5" y="5" width="9" height="9" rx="1.5" />
    <path d="M11 5V3.5A1.5 1.5 0 009.5 2h-6A1.5 1.5 0 002 3.5v6A1.5 1.5 0 003.5 11H5" />
  </Icon>
);
export const IconDownload = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M8 2v8.5M4.5 7L8 10.5 11.5 7M2.5 13.5h11" />
  </Icon>
);
export const IconSearch = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="7" cy="7" r="4.5" />
    <path d="M10.5 10.5L14 14" />
  </Icon>
);
export const IconChevronRight = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M6 3.5L10.5 8 6 12.5" />
  </Icon>
);
export const IconClose = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Icon>
);
export const IconOverview = (p: TIconProps) => (
  <Icon {...p}>
    <rect x="2" y="2" width="5" height="5" rx="1" />
    <rect x="9" y="2" width="5" height="5" rx="1" />
    <rect x="2" y="9" width="5" height="5" rx="1" />
    <rect x="9" y="9" width="5" height="5" rx="1" />
  </Icon>
);
export const IconChains = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="3.5" cy="8" r="1.8" />
    <circle cx="12.5" cy="4" r="1.8" />
    <circle cx="12.5" cy="12" r="1.8" />
    <path d="M5.2 7.2l5.6-2.4M5.2 8.8l5.6 2.4" />
  </Icon>
);
export const IconFindings = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M3 14V2.5M3 3h8.5l-1.8 3 1.8 3H3" />
  </Icon>
);
export const IconPrincipals = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="6" cy="5.5" r="2.5" />
    <path d="M1.5 14c.4-2.6 2.2-4 4.5-4s4.1 1.4 4.5 4" />
    <path d="M10.5 3.2a2.4 2.4 0 010 4.6M12.3 10.3c1.2.6 2 1.8 2.2 3.7" />
  </Icon>
);
export const IconInvestigate = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="7" cy="7" r="4.5" />
    <path d="M10.5 10.5L14 14M5 7h4M7 5v4" />
  </Icon>
);
export const IconSettings = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="8" r="2.2" />
    <path d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4" />
  </Icon>
);
export const IconKey = (p: TIconProps) => (
  <Icon {...p}>
    <circle cx="5" cy="10.5" r="3" />
    <path d="M7.2 8.3L13.5 2M11 4.5l1.8 1.8M9.5 6l1.3 1.3" />
  </Icon>
);
export const IconSignOut = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M6 14H3a1 1 0 01-1-1V3a1 1 0 011-1h3M10.5 11.5L14 8l-3.5-3.5M14 8H6" />
  </Icon>
);
export const IconEye = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z" />
    <circle cx="8" cy="8" r="2" />
  </Icon>
);
export const IconMenu = (p: TIconProps) => (
  <Icon {...p}>
    <path d="M2 4h12M2 8h12M2 12h12" />
  </Icon>
);
